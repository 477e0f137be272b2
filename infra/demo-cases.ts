// The demo office's cases, so a newcomer's first `npm start` shows a lived-in office: the demo businesses enrolled in
// this year's halal cohort and at several steps (one waiting for the demo business itself, one due within a working
// day, one overdue), and three in IKM mentoring with two places, so one waits on the waitlist. Runs once, right
// after the demo accounts are made, with the worker running: every step moves through the enrolment service, as an
// officer's action would.
import type { Client } from '@temporalio/client';
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { loadOfficeCalendar } from '../activities/calendar.js';
import type { Db } from '../db/client.js';
import { demoBusinessNibs } from '../db/seed/demo.js';
import { demoOfficerEmail } from '../db/seed/demo-users.js';
import { provincialOffices } from '../db/seed/index.js';
import { businesses, cohorts, enrolments, offices, quotas, stepInstances, users } from '../db/schema.js';
import { addWorkingDays, workingDaysBetween } from '../domain/calendar.js';
import type { ProgrammeTemplate } from '../domain/template.js';
import { enrolMany, latestProgrammeVersion } from '../services/enrolment-intake.js';
import { actOnEnrolment } from '../services/enrolments.js';
import type { Principal } from '../services/principal.js';
import { createStarter } from '../services/workflows.js';
import { statusQuery } from '../workflows/messages.js';

/** How far each demo business's halal case goes: the steps it completes, in order, first outcome each. */
const halalPaths: Record<string, string[]> = {
  // The demo business's own login: its next step (the SJPH manual) is its own to do.
  [demoBusinessNibs[0]!]: ['penyelia_halal_training'],
  // Waiting for the office's readiness review; backdated below so it is overdue.
  [demoBusinessNibs[1]!]: [
    'penyelia_halal_training',
    'sjph_manual',
    'ingredient_documentation',
    'nib_oss',
    'sihalal_account',
  ],
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
const overdueNib = demoBusinessNibs[1]!;
/** How many working days late the overdue demo case is. */
const overdueBy = 2;

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

export async function seedDemoCases(deps: { db: Db; client: Client; taskQueue: string }): Promise<void> {
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
  const enrolInto = async (cohort: typeof halalCohort, nibs: readonly string[]) => {
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
    await enrolMany(db, context, intake, selected, (target) => starter.add(target));
    return published.template;
  };
  const halal = await enrolInto(halalCohort, demoBusinessNibs);
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
      const handle = client.workflow.getHandle(e.workflowId);
      await until(`the first step of ${nib}`, async () =>
        (await handle.query(statusQuery)).current ? true : undefined,
      );
      for (const stepKey of halalPaths[nib] ?? []) {
        const step = findStep(halal, stepKey);
        await actOnEnrolment(services, context, e.id, {
          kind: 'complete',
          stepKey,
          outcome: step.outcomes[0]!.key,
          documents: step.checklist.map((c) => c.key),
          note: 'Data demo / demo data',
        });
      }
    }),
  );
  await makeOverdue(
    db,
    halalCases.find((e) => byNib.get(overdueNib)?.id === e.businessId)!,
  );
}

function findStep(template: ProgrammeTemplate, key: string) {
  const step = template.steps.find((s) => s.key === key);
  if (!step) throw new Error(`demo data: halal-regular has no step ${key}`);
  return step;
}

/**
 * Demo data only: moves the open step's start and its deadline back in the projection, so the queue has an overdue
 * case on the first start. The engine cannot make one sooner than its own timers do (it never moves a deadline into
 * the past), so this case's workflow keeps its later deadline and sends its overdue notice then; the projection is
 * what the pages show, and the next action on the case brings the two together again.
 */
async function makeOverdue(db: Db, e: { id: string }) {
  const [step] = await db
    .select()
    .from(stepInstances)
    .where(
      and(
        eq(stepInstances.enrolmentId, e.id),
        eq(stepInstances.status, 'open'),
        isNotNull(stepInstances.dueWorkingDays),
      ),
    );
  if (!step) throw new Error('demo data: the overdue case has no open working-day step');
  const [row] = await db.select({ officeId: enrolments.officeId }).from(enrolments).where(eq(enrolments.id, e.id));
  const now = Date.now();
  const cal = await loadOfficeCalendar(db, row!.officeId, now);
  let start = now;
  while (workingDaysBetween(start, now, cal) < step.dueWorkingDays! + overdueBy) start -= 86_400_000;
  await db
    .update(stepInstances)
    .set({
      openedAt: new Date(start),
      dueBasisAt: new Date(start),
      dueAt: new Date(addWorkingDays(start, step.dueWorkingDays!, cal)),
    })
    .where(eq(stepInstances.id, step.id));
}
