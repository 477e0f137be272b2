// The demo office `npm start` seeds on an empty database, checked against the engine: every running demo case's live
// workflow state (its query) agrees with the projection the pages read, and the overdue case is late in its own
// workflow, which recorded the overdue notice and the escalation itself. Real Postgres, the time-skipping Temporal
// server with the real activities, seeded as `npm start` seeds it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { seedDemo, demoBusinessNibs } from '../../db/seed/demo.js';
import { demoOfficerEmail } from '../../db/seed/demo-users.js';
import { businesses, enrolments, notifications, stepInstances, users } from '../../db/schema.js';
import { seedDemoCases } from '../../infra/demo-cases.js';
import { workQueue } from '../../services/work-queue.js';
import { statusQuery } from '../../workflows/messages.js';
import { testDocumentStore } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createTestWorker, createTimeSkippingEnv } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const taskQueue = 'system-demo-cases';

describe('demo cases', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createTimeSkippingEnv()]);
    worker = await createTestWorker(env, { taskQueue, activities: createActivities({ database }) });
    running = worker.run();
    await seedDemo(database.db);
    await seedDemoCases({ db: database.db, client: env.client, taskQueue, documentStore: testDocumentStore() });
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await Promise.all([database.drop(), env.teardown()]);
  });

  it("has every running case's open step, start and deadline in its workflow as in the projection", async () => {
    const running = await database.db
      .select({ enrolment: enrolments, step: stepInstances })
      .from(enrolments)
      .innerJoin(stepInstances, eq(stepInstances.enrolmentId, enrolments.id))
      .where(and(eq(enrolments.status, 'active'), eq(stepInstances.status, 'open')));
    expect(running.length).toBeGreaterThanOrEqual(6);
    for (const { enrolment, step } of running) {
      const live = await env.client.workflow.getHandle(enrolment.workflowId).query(statusQuery);
      expect(
        {
          step: live.current?.stepKey,
          openedAt: live.current?.openedAt,
          dueAt: live.current?.dueAt,
        },
        enrolment.workflowId,
      ).toEqual({ step: step.stepKey, openedAt: step.openedAt.getTime(), dueAt: step.dueAt?.getTime() ?? null });
      expect(enrolment.currentStep).toBe(step.stepKey);
    }
  });

  it('has one overdue case, late in its own workflow, which told the officers and escalated to the manager', async () => {
    const [overdue] = await database.db
      .select({ enrolment: enrolments })
      .from(enrolments)
      .innerJoin(businesses, eq(businesses.id, enrolments.businessId))
      .where(and(eq(businesses.nib, demoBusinessNibs[1]!), eq(enrolments.programmeKey, 'halal-regular')));
    const { enrolment } = overdue!;
    const live = await env.client.workflow.getHandle(enrolment.workflowId).query(statusQuery);
    const now = await env.currentTimeMs();
    expect(live.current).toMatchObject({ stepKey: 'readiness_review', visit: 1 });
    expect(live.current!.dueAt).toBeLessThan(now);
    // Reminders of times gone by were dropped; the overdue notice and the escalation went out at once.
    expect(live.current!.pendingNotices.every((n) => n.at > now)).toBe(true);
    const told = await waitFor(
      async () => {
        const rows = await database.db
          .select({ kind: notifications.kind, role: notifications.recipientRole })
          .from(notifications)
          .where(
            and(
              eq(notifications.enrolmentId, enrolment.id),
              inArray(notifications.kind, ['reminder', 'overdue', 'escalation']),
            ),
          );
        return rows.some((r) => r.kind === 'escalation') && rows.some((r) => r.kind === 'overdue') ? rows : undefined;
      },
      { what: 'the overdue notice and the escalation' },
    );
    expect(told.map((r) => `${r.kind}:${r.role}`).sort()).toEqual(['escalation:manager', 'overdue:officer']);

    // The officer's queue shows it first, the one overdue step of the office.
    const [officer] = await database.db.select().from(users).where(eq(users.email, demoOfficerEmail));
    const queue = await workQueue(
      database.db,
      { userId: officer!.id, role: 'officer', officeId: officer!.officeId, businessId: null },
      { page: 1 },
    );
    expect(queue.counts.overdue).toBe(1);
    expect(queue.items[0]).toMatchObject({
      enrolmentId: enrolment.id,
      stepKey: 'readiness_review',
      urgency: 'overdue',
    });
    expect(queue.items[0]!.dueAt!.getTime()).toBe(live.current!.dueAt);
  });
});
