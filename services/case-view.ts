// Everything a case's page shows, read in one place with the reader's principal: the enrolment with its steps (the
// projection plus the one live workflow query), its template, the office's zone and calendar, who closed each step,
// the checklist documents and the notes thread. The page only lays it out.
import { eq } from 'drizzle-orm';
import { loadOfficeCalendar } from '../activities/calendar.js';
import { cohorts, enrolments, offices, stepInstances, users } from '../db/schema.js';
import type { ProgrammeTemplate } from '../domain/template.js';
import { officeStaff, type StaffMember } from './case-assignment.js';
import { listNotes, type CaseNote } from './case-notes.js';
import { listDocuments, type DocumentList } from './documents/documents.js';
import { programmeTemplate } from './enrolment-intake.js';
import { getEnrolment, type EnrolmentDeps, type EnrolmentDetail } from './enrolments.js';
import type { Principal } from './principal.js';

export interface CaseView {
  detail: EnrolmentDetail;
  template: ProgrammeTemplate;
  zone: string;
  cohortName: string | null;
  /** Who completed each step visit (key `step#visit`), and the note they left, from the projection. */
  closedBy: Map<string, { name: string | null; note: string | null }>;
  now: number;
  cal: Awaited<ReturnType<typeof loadOfficeCalendar>>;
  documents: DocumentList;
  /** What this reader may read of the thread: all of it for staff, the shared notes for the business. */
  notes: CaseNote[];
  /** Who handles the case (a disabled officer keeps their name here), or null. */
  assignee: { id: string; name: string } | null;
  /** Whom staff may give the case to: the office's active officers and managers; none for a business. */
  staff: StaffMember[];
}

export async function caseView(
  deps: EnrolmentDeps,
  principal: Principal,
  id: string,
  onQueryError?: (err: unknown) => void,
): Promise<CaseView> {
  // The scope check comes first: nothing else is read for a case the reader may not see.
  const detail = await getEnrolment(deps, principal, id, { live: true, ...(onQueryError ? { onQueryError } : {}) });
  const [template, [office], closed, documents, notes, staff] = await Promise.all([
    programmeTemplate(deps.db, detail.programmeKey, detail.programmeVersion),
    deps.db
      .select({ zone: offices.timeZone, cohortName: cohorts.name, assigneeName: users.name })
      .from(enrolments)
      .innerJoin(offices, eq(offices.id, enrolments.officeId))
      .leftJoin(cohorts, eq(cohorts.id, enrolments.cohortId))
      .leftJoin(users, eq(users.id, enrolments.assigneeUserId))
      .where(eq(enrolments.id, id)),
    deps.db
      .select({ key: stepInstances.stepKey, visit: stepInstances.visit, name: users.name, note: stepInstances.note })
      .from(stepInstances)
      .leftJoin(users, eq(users.id, stepInstances.completedBy))
      .where(eq(stepInstances.enrolmentId, id)),
    listDocuments(deps.db, principal, id),
    listNotes(deps.db, principal, id),
    principal.role === 'business' ? [] : officeStaff(deps.db, principal, detail.officeId),
  ]);
  const now = Date.now();
  return {
    detail,
    template: template!,
    zone: office!.zone,
    cohortName: office!.cohortName,
    closedBy: new Map(closed.map((c) => [`${c.key}#${c.visit}`, { name: c.name, note: c.note }])),
    now,
    cal: await loadOfficeCalendar(deps.db, detail.officeId, now),
    documents,
    notes,
    assignee: detail.assigneeUserId ? { id: detail.assigneeUserId, name: office!.assigneeName ?? '' } : null,
    staff,
  };
}
