// A calendar correction reaches every running enrolment, whatever dies on the way: the API process killed with SIGKILL
// in the middle of the fan-out, or before it started the fan-out at all. Real processes on the dev server; each
// enrolment workflow's history shows the calendarChanged signals it received.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { and, desc, eq, ne } from 'drizzle-orm';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, inject, vi } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { enrolments, offices, outbox } from '../../db/schema.js';
import { addCalendarDay, calendarBatchSize, calendarFanOutWorkflowId } from '../../services/calendar-change.js';
import {
  enrolmentWorkflowId,
  ensureReconcilerSchedule,
  reconcilerScheduleId,
  startEnrolments,
} from '../../services/workflows.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { kalselOffice } from '../helpers/fixtures.js';
import { createDevServerEnv, createTestWorker } from '../helpers/temporal.js';
import { insertBusinesses } from '../quotas/support.js';

const fanOutQueue = 'calendar-fan-out-test';
/** Enrolment workflows wait on a queue nobody polls: their histories record the signals all the same. */
const enrolmentQueue = 'enrolments-nobody-polls';
const adminToken = 'calendar-fan-out-test-admin-token-0123456789';
/** Three batches and a half: the kill after the first leaves most of the office untold. */
const officeCases = calendarBatchSize * 3 + 50;

describe('calendar fan-out', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let officeId: string;
  let running: { workflowId: string; officeId: string }[];
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;

  /** Running enrolments (some paused) with started workflows: many in one office, a few in another. */
  async function enrolRunning(office: string, n: number, status: (i: number) => 'active' | 'paused') {
    const businesses = await insertBusinesses(database.db, office, n);
    const rows = await database.db
      .insert(enrolments)
      .values(
        businesses.map((b, i) => ({
          workflowId: enrolmentWorkflowId({ programmeKey: 'halal-self-declare', year: 2026, nib: b.nib, round: 1 }),
          businessId: b.id,
          officeId: office,
          programmeKey: 'halal-self-declare',
          programmeVersion: 1,
          year: 2026,
          status: status(i),
          activatedAt: new Date(),
        })),
      )
      .returning({ id: enrolments.id, workflowId: enrolments.workflowId, officeId: enrolments.officeId });
    expect(
      await startEnrolments(
        database.db,
        env.client,
        enrolmentQueue,
        rows.map((r) => r.id),
      ),
    ).toBe(n);
    return rows;
  }

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createDevServerEnv()]);
    officeId = (await kalselOffice(database.db)).id;
    const [other] = await database.db.select().from(offices).where(ne(offices.id, officeId));
    running = [
      ...(await enrolRunning(officeId, officeCases, (i) => (i % 5 === 0 ? 'paused' : 'active'))),
      ...(await enrolRunning(other!.id, 5, () => 'active')),
    ];
  });
  afterAll(async () => {
    worker?.shutdown();
    await workerRun;
    await Promise.all([database.drop(), env.teardown()]);
  });

  /** How many calendarChanged signals each workflow has received. */
  async function signalsReceived(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (let i = 0; i < running.length; i += 25) {
      await Promise.all(
        running.slice(i, i + 25).map(async ({ workflowId }) => {
          const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
          const n = (history.events ?? []).filter(
            (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'calendarChanged',
          ).length;
          counts.set(workflowId, n);
        }),
      );
    }
    return counts;
  }

  /** The restarted process: a worker with the real activities, on the queue the dead one served. */
  async function startWorker() {
    worker = await createTestWorker(env, {
      taskQueue: fanOutQueue,
      activities: createActivities({ database, temporal: { client: env.client, taskQueue: fanOutQueue } }),
    });
    workerRun = worker.run();
  }

  const latestChangeId = async () =>
    (
      await database.db
        .select({ id: outbox.id })
        .from(outbox)
        .where(eq(outbox.kind, 'calendar_fan_out'))
        .orderBy(desc(outbox.id))
        .limit(1)
    )[0]!.id;

  it('reaches every running case of the office when the API process is killed (SIGKILL) mid fan-out', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/system/fixtures/api-process.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: env.address,
        TASK_QUEUE: fanOutQueue,
        WORKFLOW_BUNDLE: inject('workflowBundlePath'),
        ADMIN_TOKEN: adminToken,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', () => reject(new Error('the API process exited before it listened')));
      });
      const port = /^listening (\d+)$/.exec(line)![1];
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/calendar/days`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          date: '2027-06-01',
          kind: 'office_closure',
          nameId: 'Rapat kerja',
          nameEn: 'Staff retreat',
          officeId,
        }),
      });
      expect(res.status).toBe(201);
      // The answer did not wait for the signals: the fan-out goes on.
      const fanOut = env.client.workflow.getHandle(calendarFanOutWorkflowId(await latestChangeId()));
      expect((await fanOut.describe()).status.name).toBe('RUNNING');

      // Killed once the first batch is done and the next one asked for.
      await vi.waitFor(
        async () => {
          const events = (await fanOut.fetchHistory()).events ?? [];
          const completed = events.filter((e) => e.activityTaskCompletedEventAttributes).length;
          const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes).length;
          expect(completed).toBeGreaterThanOrEqual(1);
          expect(scheduled).toBeGreaterThan(completed);
        },
        { timeout: 30_000, interval: 20 },
      );
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const events = (await fanOut.fetchHistory()).events ?? [];
      expect(events.filter((e) => e.activityTaskCompletedEventAttributes).length).toBeLessThan(3);
      expect((await fanOut.describe()).status.name).toBe('RUNNING');

      await startWorker();
      expect(await fanOut.result()).toMatchObject({ signalled: expect.any(Number) });
    } finally {
      child.kill('SIGKILL');
    }
    const received = await signalsReceived();
    let total = 0;
    for (const r of running) {
      const n = received.get(r.workflowId)!;
      total += n;
      if (r.officeId === officeId) expect(n, r.workflowId).toBeGreaterThanOrEqual(1);
      else expect(n, r.workflowId).toBe(0);
    }
    // Resumed at the cursor: at most the batch in flight at the kill is signalled twice, never the whole office again.
    expect(total).toBeLessThanOrEqual(officeCases + calendarBatchSize);
  }, 120_000);

  it('reaches every running case of every office when the start was lost: the reconciler starts the fan-out', async () => {
    if (!worker) await startWorker();
    const before = await signalsReceived();
    // Committed, and the process dies before its start: only the outbox row knows.
    await addCalendarDay(
      database.db,
      { requestId: 'lost-start', principal: { userId: null, role: 'admin', officeId: null, businessId: null } },
      { date: '2027-06-02', kind: 'holiday', nameId: 'Libur uji', nameEn: 'Test holiday' },
    );
    const changeId = await latestChangeId();
    await expect(env.client.workflow.getHandle(calendarFanOutWorkflowId(changeId)).describe()).rejects.toThrow(
      /not found/i,
    );

    await ensureReconcilerSchedule(env.client, fanOutQueue);
    await env.client.schedule.getHandle(reconcilerScheduleId).trigger();
    const fanOut = env.client.workflow.getHandle(calendarFanOutWorkflowId(changeId));
    await vi.waitFor(() => fanOut.describe(), { timeout: 15_000, interval: 50 });
    expect(await fanOut.result()).toEqual({ signalled: running.length });
    const after = await signalsReceived();
    for (const r of running) expect(after.get(r.workflowId), r.workflowId).toBe(before.get(r.workflowId)! + 1);
    const [row] = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.id, changeId), eq(outbox.kind, 'calendar_fan_out')));
    expect(row!.processedAt).not.toBeNull();
  }, 120_000);
});
