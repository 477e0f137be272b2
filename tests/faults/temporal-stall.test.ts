// Temporal stalled, not down (overloaded, its database hung): the dev server is stopped with SIGSTOP, so its port stays
// open and a call waits instead of failing. A visit plan's change then answers "scheduler unreachable, nothing changed"
// within its wait instead of hanging with the plan's row lock held, and an enrolment's workflow start gives up within
// its own, leaving the start to the reconciler; once Temporal moves again both go through.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, outbox, quotas, visitPlans } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { commandLine } from '../../infra/leftovers.js';
import { enrolBusiness, latestProgrammeVersion, startTargetOf } from '../../services/enrolment-intake.js';
import { createVisitPlan, schedulerAnswerMs, type VisitPlanDeps } from '../../services/visits/plans.js';
import { drainOutbox, startAnswerMs, startKnownEnrolments } from '../../services/workflows.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createUser, kalselOffice } from '../helpers/fixtures.js';
import { createDevServerEnv } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';
import { insertBusinesses } from '../quotas/support.js';

/** The dev server's process: the one whose command line starts a dev server on this port. */
function devServerPid(port: string): number {
  for (const entry of readdirSync('/proc')) {
    const args = /^\d+$/.test(entry) ? commandLine(Number(entry)) : null;
    if (args?.includes('start-dev') && args.includes(port)) return Number(entry);
  }
  throw new Error(`no dev server on port ${port}`);
}

/**
 * Stops the process and waits until the kernel reports every thread of it stopped ('T'), so that no call of the test
 * meets it still running. Once, in a loaded full run, a start sent right after the signal was answered in 44 ms.
 */
async function stall(pid: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  const states = () =>
    readdirSync(`/proc/${pid}/task`).map((task) => {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    });
  await waitFor(() => states().every((state) => state === 'T' || state === 't'), {
    what: `every thread of process ${pid} to stop`,
  });
}

describe('while Temporal stalls', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let pid: number;

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createDevServerEnv()]);
    pid = devServerPid(env.address.split(':').pop()!);
  });
  afterAll(async () => {
    process.kill(pid, 'SIGCONT');
    await Promise.all([database.drop(), env.teardown()]);
  });

  it('a visit plan change is refused within its wait, writes nothing, and goes through once Temporal moves', async () => {
    const office = await kalselOffice(database.db);
    const officer = await createUser(database.db, 'officer', office.id);
    const deps: VisitPlanDeps = { db: database.db, temporal: { client: env.client, taskQueue: 'scheduler-stall' } };
    const source = {
      requestId: 'scheduler-stall',
      principal: { userId: officer.id, role: 'officer' as const, officeId: office.id, businessId: null },
    };
    const input = {
      name: 'Monev Banjarbaru',
      place: 'Sentra Intan Martapura',
      recurrence: { kind: 'times_per_month' as const, times: 1 },
      teamUserIds: [officer.id],
    };
    await env.client.workflowService.getSystemInfo({});

    await stall(pid);
    const asked = Date.now();
    const refused = await createVisitPlan(deps, source, input).catch((err: unknown) => err);
    const took = Date.now() - asked;
    process.kill(pid, 'SIGCONT');
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ kind: 'unavailable' });
    expect((refused as DomainError).detail).toMatch(/The scheduler \(Temporal\) is unreachable; nothing was changed/);
    expect(took).toBeGreaterThanOrEqual(schedulerAnswerMs);
    // Without the wait it would still be waiting: a stalled server answers nothing.
    expect(took).toBeLessThan(schedulerAnswerMs + 15_000);
    expect(await database.db.select().from(visitPlans)).toEqual([]);
    expect(await database.db.select().from(auditLog).where(eq(auditLog.entityType, 'visit_plan'))).toEqual([]);

    const plan = await createVisitPlan(deps, source, input);
    const schedule = await env.client.schedule.getHandle(plan.scheduleId).describe();
    expect(schedule.state.paused).toBe(false);
    expect(await database.db.select({ id: visitPlans.id }).from(visitPlans)).toEqual([{ id: plan.id }]);
  });

  it('an enrolment is kept and its start left to the reconciler, which starts it once Temporal moves', async () => {
    const { db } = database;
    const office = await kalselOffice(db);
    const published = (await latestProgrammeVersion(db, 'halal-self-declare'))!;
    const [quota] = await db
      .insert(quotas)
      .values({
        programmeKey: 'halal-self-declare',
        year: 2027,
        officeId: office.id,
        regionCode: '6371',
        placesLimit: 5,
      })
      .returning();
    const [business] = await insertBusinesses(db, office.id, 1, () => ({ regionCode: '6371' }));
    const intake = {
      programmeKey: 'halal-self-declare',
      year: 2027,
      officeId: office.id,
      cohortId: null,
      programmeVersion: published.version,
      template: published.template,
    };
    const source = {
      requestId: 'temporal-stall',
      principal: { userId: null, role: 'admin' as const, officeId: null, businessId: null },
    };
    const enrolled = await enrolBusiness(db, source, intake, business!, quota!.id);
    if (!enrolled.ok) throw new Error(enrolled.reason);
    const taskQueue = 'temporal-stall';

    await stall(pid);
    const asked = Date.now();
    const started = await startKnownEnrolments(db, env.client, taskQueue, [startTargetOf(enrolled.enrolment, intake)]);
    const took = Date.now() - asked;
    process.kill(pid, 'SIGCONT');
    expect(started).toBe(0);
    expect(took).toBeGreaterThanOrEqual(startAnswerMs);
    expect(took).toBeLessThan(startAnswerMs + 15_000);
    const [waiting] = await db.select().from(outbox).where(eq(outbox.enrolmentId, enrolled.enrolment.id));
    expect(waiting).toMatchObject({ processedAt: null, attempts: 1, lastError: expect.any(String) });

    expect(await drainOutbox(db, env.client, taskQueue)).toBe(1);
    const run = await env.client.workflow.getHandle(enrolled.enrolment.workflowId).describe();
    expect(run.status.name).toBe('RUNNING');
    const [done] = await db.select().from(outbox).where(eq(outbox.enrolmentId, enrolled.enrolment.id));
    expect(done!.processedAt).not.toBeNull();
  });
});
