// Nothing is lost between the commit and the workflow start: enrolments whose outbox rows were never processed (the API
// process died in between) are started by the reconciler, which a Temporal schedule runs every minute. Schedules need
// the dev server (the time-skipping server has none), and the schedule, paused, is driven with trigger().
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { eq, isNull } from 'drizzle-orm';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createReconcilerActivities } from '../../activities/reconciler.js';
import { outbox, quotas } from '../../db/schema.js';
import { enrolBusiness, latestProgrammeVersion, type Intake } from '../../services/enrolment-intake.js';
import {
  drainOutbox,
  ensureReconcilerSchedule,
  reconcilerScheduleId,
  startEnrolments,
} from '../../services/workflows.js';
import type { ReconcileResult } from '../../workflows/reconciler.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { kalselOffice } from '../helpers/fixtures.js';
import { createDevServerEnv, createTestWorker } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';
import { insertBusinesses } from './support.js';

const programmeKey = 'halal-self-declare';
/** The reconciler's own queue, polled by the test's worker; enrolment workflows go to one nobody polls, and just sit. */
const reconcilerQueue = 'reconciler-test';
const enrolmentQueue = 'enrolments-nobody-polls';
const source = {
  requestId: 'reconciler-test',
  principal: { userId: null, role: 'admin' as const, officeId: null, businessId: null },
};

describe('the reconciler', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let intake: Intake;
  let quotaId: string;

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createDevServerEnv()]);
    const officeId = (await kalselOffice(database.db)).id;
    const published = (await latestProgrammeVersion(database.db, programmeKey))!;
    intake = {
      programmeKey,
      year: 2026,
      officeId,
      cohortId: null,
      programmeVersion: published.version,
      template: published.template,
    };
    const [quota] = await database.db
      .insert(quotas)
      .values({ programmeKey, year: 2026, officeId, placesLimit: 100 })
      .returning();
    quotaId = quota!.id;
    worker = await createTestWorker(env, {
      taskQueue: reconcilerQueue,
      activities: createActivities({ database, temporal: { client: env.client, taskQueue: enrolmentQueue } }),
    });
    running = worker.run();

    // The schedule's own runs, every minute, would race the tests: one between a commit and trigger() takes the rows
    // first (so the triggered run counts none), or is still going when trigger() asks and the triggered run is skipped
    // as an overlap. So the schedule is paused from its creation, and a run that slipped in before the pause is let
    // finish; trigger() still starts runs on a paused schedule.
    await ensureReconcilerSchedule(env.client, reconcilerQueue);
    const schedule = env.client.schedule.getHandle(reconcilerScheduleId);
    await schedule.pause('the tests run the reconciler with trigger()');
    await waitFor(
      async () => {
        const { state, info } = await schedule.describe();
        return state.paused && info.runningActions.length === 0;
      },
      { what: 'the paused schedule to have no run going' },
    );
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await Promise.all([database.drop(), env.teardown()]);
  });

  /** Runs the schedule's action now and waits for that run's result. */
  async function triggerReconciler(): Promise<ReconcileResult> {
    const handle = env.client.schedule.getHandle(reconcilerScheduleId);
    // The run is recognised by a workflow ID not seen before (the schedule adds the start time): the list of recent
    // actions is capped, so its length says nothing once it is full.
    const runIds = async () => (await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId);
    const before = new Set(await runIds());
    await handle.trigger();
    const workflowId = await waitFor(async () => (await runIds()).find((id) => !before.has(id)), {
      what: 'the run started by trigger()',
    });
    return env.client.workflow.getHandle(workflowId).result();
  }

  const pending = () => database.db.select().from(outbox).where(isNull(outbox.processedAt));
  const workflowStatus = async (workflowId: string) =>
    (await env.client.workflow.getHandle(workflowId).describe()).status.name;

  it('creates its schedule idempotently: every minute, one run at a time', async () => {
    // beforeAll created it; every API start calls this again.
    await ensureReconcilerSchedule(env.client, reconcilerQueue);
    await ensureReconcilerSchedule(env.client, reconcilerQueue);
    const description = await env.client.schedule.getHandle(reconcilerScheduleId).describe();
    expect(description.spec.intervals).toMatchObject([{ every: 60_000 }]);
    expect(description.action).toMatchObject({ workflowType: 'reconcileWorkflow', taskQueue: reconcilerQueue });
    expect(description.policies.overlap).toBe('SKIP');
    // An API start does not resume a schedule somebody paused (and the tests below rely on it staying paused).
    expect(description.state.paused).toBe(true);
  });

  it('starts the workflows of enrolments committed without a start', async () => {
    const list = await insertBusinesses(database.db, intake.officeId, 3);
    const committed = [];
    for (const b of list) {
      const outcome = await enrolBusiness(database.db, source, intake, b, quotaId);
      if (!outcome.ok) throw new Error(outcome.reason);
      committed.push(outcome.enrolment);
    }
    expect(await pending()).toHaveLength(3);
    await expect(env.client.workflow.getHandle(committed[0]!.workflowId).describe()).rejects.toThrow(/not found/i);

    const result = await triggerReconciler();
    expect(result).toEqual({ promoted: 0, started: 3, pending: 0 });
    for (const e of committed) expect(await workflowStatus(e.workflowId)).toBe('RUNNING');
    expect(await pending()).toHaveLength(0);
  });

  it('starts the workflow of an enrolment whose API process was killed (SIGKILL) after the commit', async () => {
    const [business] = await insertBusinesses(database.db, intake.officeId, 1);
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/quotas/fixtures/commit-then-hang.ts'], {
      env: { ...process.env, DATABASE_URL: database.url, ENROL: JSON.stringify({ intake, business, quotaId }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', () => reject(new Error('the child exited before it committed')));
    });
    const enrolmentId = /^committed (\S+)$/.exec(line)![1]!;
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const [row] = await database.db.select().from(outbox).where(eq(outbox.enrolmentId, enrolmentId));
    expect(row!.processedAt).toBeNull();
    const [enrolment] = await database.sql<
      { workflow_id: string }[]
    >`select workflow_id from enrolments where id = ${enrolmentId}`;
    expect(await triggerReconciler()).toMatchObject({ started: 1, pending: 0 });
    expect(await workflowStatus(enrolment!.workflow_id)).toBe('RUNNING');
  });

  it('starts nothing twice: a start after the workflow already ran (or runs) marks the outbox row done', async () => {
    const [business] = await insertBusinesses(database.db, intake.officeId, 1);
    const outcome = await enrolBusiness(database.db, source, intake, business!, quotaId);
    if (!outcome.ok) throw new Error(outcome.reason);
    const e = outcome.enrolment;
    expect(await startEnrolments(database.db, env.client, enrolmentQueue, [e.id])).toBe(1);
    const first = await env.client.workflow.getHandle(e.workflowId).describe();
    // A retried start (the API answered late, the reconciler ran meanwhile) finds the running workflow, then a
    // finished one: neither starts another run, and neither leaves the row for ever in the outbox.
    await database.db.insert(outbox).values({ kind: 'start_enrolment', enrolmentId: e.id });
    expect(await drainOutbox(database.db, env.client, enrolmentQueue)).toBe(1);
    await env.client.workflow.getHandle(e.workflowId).terminate('test: finished');
    await database.db.insert(outbox).values({ kind: 'start_enrolment', enrolmentId: e.id });
    expect(await drainOutbox(database.db, env.client, enrolmentQueue)).toBe(1);
    expect(await pending()).toHaveLength(0);
    expect((await env.client.workflow.getHandle(e.workflowId).describe()).runId).toBe(first.runId);
  });

  it('fails plainly, without retries, on a worker that has no Temporal client', async () => {
    await expect(createReconcilerActivities({ database }).reconcile()).rejects.toMatchObject({
      type: 'NotConfigured',
      nonRetryable: true,
    });
  });
});
