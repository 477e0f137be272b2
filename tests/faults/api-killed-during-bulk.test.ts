// The API process killed with SIGKILL in the middle of a cohort's bulk enrolment: each enrolment is its own
// transaction, committed with its outbox row, so what committed stays committed; the reconciler's drain then starts
// the workflow of every committed active enrolment that the dead process had not started, and starts none twice.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq, isNull } from 'drizzle-orm';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { cohorts, enrolments, outbox, quotas, stepInstances } from '../../db/schema.js';
import { drainOutboxBatch } from '../../services/workflows.js';
import { insertBusinesses } from '../quotas/support.js';
import { testAdminToken } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { kalselOffice } from '../helpers/fixtures.js';
import { createTestWorker, createTimeSkippingEnv } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const programmeKey = 'halal-self-declare';
const taskQueue = 'api-killed-during-bulk';
const total = 1_000;

describe('the API killed during a bulk enrolment', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createTimeSkippingEnv()]);
  });
  afterAll(async () => {
    await Promise.all([database.drop(), env.teardown()]);
  });

  it('leaves every committed enrolment with exactly one workflow, started by the reconciler where the API died first', async () => {
    const { db } = database;
    const officeId = (await kalselOffice(db)).id;
    await db.insert(quotas).values({ programmeKey, year: 2026, officeId, placesLimit: total });
    const [cohort] = await db
      .insert(cohorts)
      .values({ officeId, programmeKey, year: 2026, name: 'Angkatan I' })
      .returning();
    const businessIds = (await insertBusinesses(db, officeId, total)).map((b) => b.id);

    const api = spawn(process.execPath, ['--import', 'tsx', 'tests/system/fixtures/api-process.ts'], {
      env: {
        ...process.env,
        TASK_QUEUE: taskQueue,
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: env.address,
        WORKFLOW_BUNDLE: inject('workflowBundlePath'),
        ADMIN_TOKEN: testAdminToken,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const killed = new Promise<NodeJS.Signals | null>((resolve) =>
      api.once('exit', (_code, signal) => resolve(signal)),
    );
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: api.stdout! }).on('line', (line) => {
        const match = /^listening (\d+)$/.exec(line);
        if (match) resolve(Number(match[1]));
      });
      api.once('exit', () => reject(new Error('the API process exited before it listened')));
    });

    const bulk = fetch(`http://127.0.0.1:${port}/api/v1/cohorts/${cohort!.id}/enrolments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testAdminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ businessIds }),
    }).catch((err: unknown) => err);
    const committedCount = async () =>
      (await db.select({ id: enrolments.id }).from(enrolments).where(eq(enrolments.cohortId, cohort!.id))).length;
    await waitFor(async () => (await committedCount()) >= total / 20, {
      what: 'the bulk enrolment to have committed a twentieth of its businesses',
      intervalMs: 10,
    });
    api.kill('SIGKILL');
    expect(await killed).toBe('SIGKILL');
    expect(await bulk).toBeInstanceOf(Error);

    const committed = await db.select().from(enrolments).where(eq(enrolments.cohortId, cohort!.id));
    // Killed in the middle: some committed, not all.
    expect(committed.length).toBeGreaterThan(0);
    expect(committed.length).toBeLessThan(total);
    const notStarted = await db.select().from(outbox).where(isNull(outbox.processedAt));

    // The reconciler's drain, with a worker so that each started workflow opens its first step.
    const worker = await createTestWorker(env, {
      taskQueue,
      activities: createActivities({ database }),
    });
    const running = worker.run();
    try {
      let started = 0;
      for (;;) {
        const batch = await drainOutboxBatch(db, env.client, taskQueue, 500);
        started += batch.started;
        if (batch.claimed === 0) break;
      }
      expect(started).toBe(notStarted.length);
      expect(await db.select().from(outbox).where(isNull(outbox.processedAt))).toEqual([]);

      // Every committed active enrolment has its workflow, and each workflow ran once: one first step, visit 1.
      const active = committed.filter((e) => e.status === 'active');
      expect(active.length).toBe(committed.length);
      for (const e of active) {
        expect((await env.client.workflow.getHandle(e.workflowId).describe()).status.name).toBe('RUNNING');
      }
      const steps = await waitFor(
        async () => {
          const rows = await db
            .select({ enrolmentId: stepInstances.enrolmentId, visit: stepInstances.visit })
            .from(stepInstances)
            .innerJoin(
              enrolments,
              and(eq(enrolments.id, stepInstances.enrolmentId), eq(enrolments.cohortId, cohort!.id)),
            );
          return rows.length >= active.length ? rows : null;
        },
        { what: 'every started workflow to open its first step', timeoutMs: 60_000 },
      );
      expect(steps).toHaveLength(active.length);
      expect(new Set(steps.map((s) => s.enrolmentId)).size).toBe(active.length);
      expect(steps.every((s) => s.visit === 1)).toBe(true);
    } finally {
      worker.shutdown();
      await running;
    }
  });
});
