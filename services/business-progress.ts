// A business's own view of its programmes: where each stands, what it must do next and by when, and whom to ask.
// Read from the projection; only the business's own enrolments (the principal names it, so scope is built in).
import { and, asc, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { loadOfficeCalendar } from '../activities/calendar.js';
import type { Db } from '../db/client.js';
import { businesses, enrolments, offices, programmes, stepInstances, users } from '../db/schema.js';
import type { OfficeCalendar } from '../domain/calendar.js';
import { forbidden } from '../domain/errors.js';
import { findStep, type ProgrammeTemplate, type TemplateStep } from '../domain/template.js';
import { programmeTemplate } from './enrolment-intake.js';
import type { Principal } from './principal.js';
import { urgencyOf } from './work-queue.js';

export interface ProgrammeProgress {
  enrolmentId: string;
  programmeName: { id: string; en: string };
  year: number;
  status: string;
  /** Distinct steps done, against the template's steps (alternatives and loops make the total an upper bound). */
  done: { step: TemplateStep; completedAt: Date }[];
  totalSteps: number;
  next: {
    step: TemplateStep;
    dueAt: Date | null;
    urgency: ReturnType<typeof urgencyOf>['urgency'];
    workingDaysLeft: number | null;
    paused: boolean;
  } | null;
  waitlisted: boolean;
}

export interface BusinessProgress {
  businessName: string;
  zone: string;
  office: { name: string };
  /** The person to ask: the officer handling its most recent case, or who enrolled it while nobody handles it. */
  contact: { name: string; email: string | null } | null;
  programmes: ProgrammeProgress[];
}

export async function businessProgress(db: Db, principal: Principal, now = Date.now()): Promise<BusinessProgress> {
  if (principal.role !== 'business' || !principal.businessId) {
    throw forbidden('Halaman ini untuk pelaku usaha / This page is for businesses');
  }
  const [business] = await db
    .select({ name: businesses.name, officeId: businesses.officeId, zone: offices.timeZone, officeName: offices.name })
    .from(businesses)
    .innerJoin(offices, eq(offices.id, businesses.officeId))
    .where(eq(businesses.id, principal.businessId));
  if (!business) throw forbidden('Usaha tidak ditemukan / Business not found');
  const rows = await db
    .select({
      enrolment: enrolments,
      nameId: programmes.nameId,
      nameEn: programmes.nameEn,
      contactName: users.name,
      contactEmail: users.email,
    })
    .from(enrolments)
    .innerJoin(programmes, eq(programmes.key, enrolments.programmeKey))
    .leftJoin(users, eq(users.id, sql`coalesce(${enrolments.assigneeUserId}, ${enrolments.enrolledBy})`))
    .where(and(eq(enrolments.businessId, principal.businessId), ne(enrolments.status, 'withdrawn')))
    .orderBy(desc(enrolments.createdAt))
    .limit(20);
  const steps =
    rows.length === 0
      ? []
      : await db
          .select()
          .from(stepInstances)
          .where(
            inArray(
              stepInstances.enrolmentId,
              rows.map((r) => r.enrolment.id),
            ),
          )
          .orderBy(asc(stepInstances.openedAt));
  const cal: OfficeCalendar = await loadOfficeCalendar(db, business.officeId, now);
  const programmesProgress: ProgrammeProgress[] = [];
  for (const row of rows) {
    const e = row.enrolment;
    const template = (await programmeTemplate(db, e.programmeKey, e.programmeVersion)) as ProgrammeTemplate;
    const own = steps.filter((s) => s.enrolmentId === e.id);
    const doneKeys = new Map<string, Date>();
    for (const s of own) if (s.status === 'done' && s.completedAt) doneKeys.set(s.stepKey, s.completedAt);
    const current = own.find((s) => s.status === 'open' || s.status === 'paused');
    const currentStep = current ? findStep(template, current.stepKey) : undefined;
    programmesProgress.push({
      enrolmentId: e.id,
      programmeName: { id: row.nameId, en: row.nameEn },
      year: e.year,
      status: e.status,
      done: [...doneKeys].flatMap(([key, completedAt]) => {
        const step = findStep(template, key);
        return step ? [{ step, completedAt }] : [];
      }),
      totalSteps: template.steps.length,
      next:
        current && currentStep
          ? {
              step: currentStep,
              dueAt: current.dueAt,
              paused: current.status === 'paused',
              ...urgencyOf(current.dueAt, now, cal),
            }
          : null,
      waitlisted: e.status === 'waitlisted',
    });
  }
  // The programmes where the business itself must act come first.
  programmesProgress.sort(
    (a, b) => Number(b.next?.step.actor === 'business') - Number(a.next?.step.actor === 'business'),
  );
  const contact = rows.find((r) => r.contactName);
  return {
    businessName: business.name,
    zone: business.zone,
    office: { name: business.officeName },
    contact: contact ? { name: contact.contactName!, email: contact.contactEmail } : null,
    programmes: programmesProgress,
  };
}
