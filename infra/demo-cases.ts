// The demo office's cases, so a newcomer's first `npm start` shows a lived-in office: the demo businesses enrolled in
// this year's halal cohort and at several steps (one waiting for the demo business itself, one due within a working
// day, one overdue), and three in IKM mentoring with two places, so one waits on the waitlist. Runs once, right
// after the demo accounts are made, with the worker running: every step moves through the enrolment service, as an
// officer's action would. The overdue case is a case already under way when it came to pendamping: its workflow
// starts at the readiness review, opened weeks ago (EnrolmentInput.startAt), so the engine itself knows the step is
// late and records the overdue notice and the escalation.
import type { Client } from '@temporalio/client';
import { and, eq, inArray } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { loadOfficeCalendar } from '../activities/calendar.js';
import type { Db } from '../db/client.js';
import { demoBusinessNibs } from '../db/seed/demo.js';
import { demoOfficerEmail } from '../db/seed/demo-users.js';
import { provincialOffices } from '../db/seed/index.js';
import { businesses, cohorts, enrolments, offices, quotas, users } from '../db/schema.js';
import { workingDaysBetween } from '../domain/calendar.js';
import type { ProgrammeTemplate, TemplateStep } from '../domain/template.js';
import { enrolMany, latestProgrammeVersion } from '../services/enrolment-intake.js';
import { reviewDocument, uploadDocument } from '../services/documents/documents.js';
import type { DocumentStore } from '../services/documents/store.js';
import { actOnEnrolment } from '../services/enrolments.js';
import type { Principal } from '../services/principal.js';
import { createStarter, type StartTarget } from '../services/workflows.js';

/** How far each demo business's halal case goes: the steps it completes, in order, first outcome each. */
const halalPaths: Record<string, string[]> = {
  // The demo business's own login: its next step (the SJPH manual) is its own to do.
  [demoBusinessNibs[0]!]: ['penyelia_halal_training'],
  // At BPJPH's verification, due within one working day.
  [demoBusinessNibs[2]!]: [
    'penyelia_halal_training',
    'sjph_manual',
    'ingredient_documentation',
    'nib_oss',
    'sihalal_account',
    'readiness_review',
    'sihalal_submission',
  ],
  // In the Penyelia Halal training, due in two months.
  [demoBusinessNibs[3]!]: [],
  // At the LPH audit, 15 working days.
  [demoBusinessNibs[4]!]: [
    'penyelia_halal_training',
    'sjph_manual',
    'ingredient_documentation',
    'nib_oss',
    'sihalal_account',
    'readiness_review',
    'sihalal_submission',
    'bpjph_verification',
    'lph_assignment',
  ],
};
/** Waiting for the office's readiness review, late by more than the escalation's five working days. */
const overdueNib = demoBusinessNibs[1]!;
const overdueStep = 'readiness_review';
/** How many working days late the overdue demo case is. */
const overdueBy = 6;

/** Polls a condition until it holds, or fails after a deadline: workflows move in the background. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 30_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`demo data: timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export async function seedDemoCases(deps: {
  db: Db;
  client: Client;
  taskQueue: string;
  documentStore: DocumentStore;
}): Promise<void> {
  const { db, client, taskQueue } = deps;
  const [office] = await db.select().from(offices).where(eq(offices.name, provincialOffices[0]!.name));
  const [officer] = await db.select().from(users).where(eq(users.email, demoOfficerEmail));
  if (!office || !officer) throw new Error('demo data: run seedDemo first');
  const principal: Principal = { userId: officer.id, role: 'officer', officeId: office.id, businessId: null };
  const context = { requestId: 'demo-seed', principal };
  const year = DateTime.now().setZone(office.timeZone).year;
  const demo = await db
    .select()
    .from(businesses)
    .where(inArray(businesses.nib, [...demoBusinessNibs]));
  const byNib = new Map(demo.map((b) => [b.nib, b]));

  const [halalCohort] = await db
    .select()
    .from(cohorts)
    .where(and(eq(cohorts.officeId, office.id), eq(cohorts.programmeKey, 'halal-regular'), eq(cohorts.year, year)));
  await db
    .insert(quotas)
    .values({ programmeKey: 'ikm-mentoring', year, officeId: office.id, placesLimit: 2 })
    .onConflictDoNothing();
  const [mentoringCohort] = await db
    .insert(cohorts)
    .values({ officeId: office.id, programmeKey: 'ikm-mentoring', year, name: `Pendampingan IKM ${year}` })
    .returning();

  const starter = createStarter(db, client, taskQueue);
  const enrolInto = async (
    cohort: typeof halalCohort,
    nibs: readonly string[],
    start: (target: StartTarget) => StartTarget = (target) => target,
  ) => {
    const published = (await latestProgrammeVersion(db, cohort!.programmeKey))!;
    const intake = {
      programmeKey: cohort!.programmeKey,
      year,
      officeId: office.id,
      cohortId: cohort!.id,
      programmeVersion: published.version,
      template: published.template,
    };
    const selected = nibs.map((nib) => byNib.get(nib)!);
    await enrolMany(db, context, intake, selected, (target) => starter.add(start(target)));
    return published.template;
  };
  const halal = await enrolInto(
    halalCohort,
    demoBusinessNibs.filter((nib) => nib !== overdueNib),
  );
  const late = findStep(halal, overdueStep);
  const startAt = { stepKey: late.key, openedAt: await openedLateBy(db, office.id, late, overdueBy) };
  await enrolInto(halalCohort, [overdueNib], (target) => ({ ...target, startAt }));
  // Export-oriented first: the two export-oriented businesses take the places, the third waits.
  await enrolInto(mentoringCohort, [demoBusinessNibs[2]!, demoBusinessNibs[0]!, demoBusinessNibs[1]!]);
  await starter.finish();

  const halalCases = await db
    .select({ id: enrolments.id, workflowId: enrolments.workflowId, businessId: enrolments.businessId })
    .from(enrolments)
    .where(and(eq(enrolments.cohortId, halalCohort!.id), eq(enrolments.status, 'active')));
  const services = { db, temporal: client, taskQueue };
  await Promise.all(
    halalCases.map(async (e) => {
      const nib = demo.find((b) => b.id === e.businessId)!.nib;
      // The projection, not only the workflow: documents are taken for the step the projection shows open.
      await until(`the first step of ${nib}`, async () => {
        const [row] = await db.select({ step: enrolments.currentStep }).from(enrolments).where(eq(enrolments.id, e.id));
        return row?.step ? true : undefined;
      });
      for (const stepKey of halalPaths[nib] ?? []) {
        const step = findStep(halal, stepKey);
        // A step completes only on accepted documents: the demo officer hands each one in and accepts it.
        for (const item of step.checklist) {
          const document = await uploadDocument({ db, store: deps.documentStore }, context, {
            enrolmentId: e.id,
            stepKey,
            itemKey: item.key,
            fileName: `${item.key}.pdf`,
            data: demoPdf(item.name.id),
          });
          await reviewDocument({ db, store: deps.documentStore }, context, document.id, { decision: 'accepted' });
        }
        await actOnEnrolment(services, context, e.id, {
          kind: 'complete',
          stepKey,
          outcome: step.outcomes[0]!.key,
          note: 'Data demo / demo data',
        });
      }
    }),
  );
}

/** A one-page PDF standing in for a demo document. */
const demoPdf = (title: string) =>
  Buffer.from(`%PDF-1.4\n% ${title} (data demo / demo data)\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n`);

function findStep(template: ProgrammeTemplate, key: string) {
  const step = template.steps.find((s) => s.key === key);
  if (!step) throw new Error(`demo data: halal-regular has no step ${key}`);
  return step;
}

/**
 * When a step must have opened for its deadline (working days, by the office's calendar) to lie `late` working days
 * before now: the engine's own due rule then puts the deadline there.
 */
async function openedLateBy(db: Db, officeId: string, step: TemplateStep, late: number): Promise<number> {
  if (step.due?.kind !== 'working_days') throw new Error(`demo data: ${step.key} has no working-day limit`);
  const now = Date.now();
  const cal = await loadOfficeCalendar(db, officeId, now);
  let start = now;
  while (workingDaysBetween(start, now, cal) < step.due.days + late) start -= 86_400_000;
  return start;
}
