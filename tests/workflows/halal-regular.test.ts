// The whole halal regular path, enrolment to certificate, on the time-skipping server with the real activities and
// database: every reminder, overdue notice and escalation must be recorded at the instant the office calendar gives.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { and, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import { certificates, enrolments, notifications, stepInstances } from '../../db/schema.js';
import { computeDue, isWorkingDay, localDate, workingDaysBetween } from '../../domain/calendar.js';
import { spreadReminders, stepNotices } from '../../domain/step-timing.js';
import { halalRegular } from '../../domain/templates/index.js';
import {
  completeStepUpdate,
  enrolmentWorkflowType,
  type EnrolmentInput,
  type EnrolmentState,
} from '../../workflows/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createUser, kalselOffice } from '../helpers/fixtures.js';
import { createTestWorker, createTimeSkippingEnv } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const taskQueue = 'halal-regular';

/** The happy path with one audit loop and a missed fatwa hearing that goes to the Komite Fatwa. */
const path: Array<[step: string, outcome: string]> = [
  ['penyelia_halal_training', 'held'],
  ['sjph_manual', 'drafted'],
  ['ingredient_documentation', 'documented'],
  ['nib_oss', 'issued'],
  ['sihalal_account', 'created'],
  ['readiness_review', 'ready'],
  ['sihalal_submission', 'submitted'],
  ['bpjph_verification', 'complete'],
  ['lph_assignment', 'sttd_issued'],
  ['lph_audit', 'non_conformities'],
  ['audit_corrections', 'corrected'],
  ['lph_audit', 'conforming'],
  ['fatwa_hearing', 'missed'],
  ['komite_fatwa', 'halal'],
  ['certificate_issuance', 'issued'],
];

describe('halal regular path under time skipping', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createTimeSkippingEnv()]);
    worker = await createTestWorker(env, { taskQueue, activities: createActivities({ database }) });
    running = worker.run();
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await Promise.all([database.drop(), env.teardown()]);
  });

  it('runs from enrolment to certificate with every notice at its calendar instant', async () => {
    const { db } = database;
    const office = await kalselOffice(db);
    const business = await createBusiness(db, office.id);
    const officer = await createUser(db, 'officer', office.id);
    const enrolment = await createActiveEnrolment(db, halalRegular, business.id, office.id);
    const input: EnrolmentInput = { enrolmentId: enrolment.id, template: halalRegular };
    const handle = await env.client.workflow.start(enrolmentWorkflowType, {
      workflowId: enrolment.workflowId,
      taskQueue,
      args: [input],
    });

    // The first step opens asynchronously after the start; wait for its deadline by querying the workflow.
    let state = await waitFor(
      async () => {
        const live: EnrolmentState = await handle.query('status');
        return live.current?.dueAt ? live : undefined;
      },
      { what: `the first step of ${enrolment.workflowId} to open` },
    );

    for (const [stepKey, outcome] of path) {
      const step = halalRegular.steps.find((s) => s.key === stepKey)!;
      const current = state.current!;
      expect(current.stepKey).toBe(stepKey);

      // The deadline, from the office calendar: end of office hours (16:00 WITA) of a working day.
      const cal = await loadOfficeCalendar(db, office.id, current.openedAt);
      const due = computeDue(step.due!, current.openedAt, cal);
      expect(current.dueAt).toBe(due);
      const dueLocal = DateTime.fromMillis(due, { zone: 'Asia/Makassar' });
      expect(dueLocal.toFormat('HH:mm')).toBe('16:00');
      expect(isWorkingDay(localDate(due, 'Asia/Makassar'), cal)).toBe(true);
      if (step.due!.kind === 'working_days')
        expect(workingDaysBetween(current.openedAt, due, cal)).toBe(step.due!.days);

      // Let every notice of the step fall due, then check what was recorded and when.
      const expected = spreadReminders(stepNotices(step, due, cal), enrolment.id).filter(
        (n) => n.at > current.openedAt,
      );
      const last = expected.at(-1)?.at ?? due;
      // The test server's clock, not this process's, is the one the workflow lives by.
      await env.sleep(last - (await env.currentTimeMs()) + 60_000);
      const recorded = await db
        .selectDistinct({ kind: notifications.kind, at: notifications.scheduledFor })
        .from(notifications)
        .innerJoin(
          stepInstances,
          and(eq(stepInstances.enrolmentId, notifications.enrolmentId), eq(stepInstances.stepKey, stepKey)),
        )
        .where(and(eq(notifications.enrolmentId, enrolment.id), eq(notifications.stepKey, stepKey)));
      const ofThisVisit = recorded.filter((r) => r.kind !== 'step_opened' && r.at.getTime() > current.openedAt);
      expect(
        ofThisVisit
          .map((r) => ({ kind: r.kind, at: r.at.getTime() }))
          .sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind)),
      ).toEqual(
        expected.map((n) => ({ kind: n.kind, at: n.at })).sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind)),
      );
      // Reminders and notices go out in office hours (08:00–16:00 WITA) of working days.
      for (const n of expected) {
        const local = DateTime.fromMillis(n.at, { zone: 'Asia/Makassar' });
        expect(local.hour).toBeGreaterThanOrEqual(8);
        expect(local.hour).toBeLessThan(16);
        expect(isWorkingDay(local.toISODate()!, cal)).toBe(true);
      }

      state = await handle.executeUpdate(completeStepUpdate, {
        args: [
          {
            actor: { userId: officer.id, role: 'officer' },
            stepKey,
            outcome,
            documents: step.checklist.map((c) => c.key),
            ...(step.recordsCertificate
              ? { certificate: { number: 'ID63110000123450925', issuedOn: '2027-09-01', scope: 'Amplang ikan' } }
              : {}),
          },
        ],
      });
    }

    expect(state.phase).toBe('completed');
    expect(state.history.map((h) => [h.stepKey, h.outcome])).toEqual(path);
    expect(state.visits.lph_audit).toBe(2);
    expect(await handle.result()).toMatchObject({ phase: 'completed' });

    const [finished] = await db.select().from(enrolments).where(eq(enrolments.id, enrolment.id));
    expect(finished).toMatchObject({ status: 'completed', currentStep: null });
    const certs = await db.select().from(certificates).where(eq(certificates.enrolmentId, enrolment.id));
    expect(certs).toMatchObject([{ number: 'ID63110000123450925', scope: 'Amplang ikan', status: 'valid' }]);
    const escalations = await db
      .select({ role: notifications.recipientRole })
      .from(notifications)
      .where(and(eq(notifications.enrolmentId, enrolment.id), eq(notifications.kind, 'escalation')));
    expect(escalations.length).toBeGreaterThan(0);
    expect(new Set(escalations.map((e) => e.role))).toEqual(new Set(['manager']));
  });
});
