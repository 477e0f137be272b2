// The production worker process (`npm run worker`): it needs a database and a cluster, polls, and stops on SIGTERM.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../infra/ports.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createTimeSkippingEnv } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/worker-main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  const seen = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => output.includes(text) && resolve();
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.once('exit', () =>
        output.includes(text) ? resolve() : reject(new Error(`exited before "${text}":\n${output}`)),
      );
    });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, seen, exited, output: () => output };
}

describe('npm run worker', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createTimeSkippingEnv()]);
  });
  afterAll(async () => {
    await Promise.all([database.drop(), env.teardown()]);
  });

  it('polls its task queue and stops cleanly on SIGTERM', async () => {
    const worker = run({
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: 'worker-main-test',
      LOG_LEVEL: 'warn',
    });
    await worker.seen('polling worker-main-test');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('stopped.');
  });

  it('answers its health checks: live at once, ready while it polls, not ready once Postgres is gone', async () => {
    // A database of its own, dropped under the running worker.
    const own = await createTestDatabase();
    const port = await freePort();
    const worker = run({
      DATABASE_URL: own.url,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: 'worker-health-test',
      WORKER_HEALTH_PORT: String(port),
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      LOG_LEVEL: 'warn',
    });
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    try {
      await worker.seen('polling worker-health-test');
      expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
      // The worker's state turns RUNNING a moment after "polling" is printed.
      const ready = await waitFor(
        async () => {
          const res = await get('/readyz');
          return res.status === 200 ? res : null;
        },
        { what: 'the worker to be ready' },
      );
      expect(ready.body).toEqual({
        status: 'ready',
        database: { ok: true },
        temporal: { ok: true },
        worker: { ok: true },
      });
      expect((await get('/nothing')).status).toBe(404);

      await own.drop();
      const notReady = await get('/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.body).toMatchObject({
        status: 'not_ready',
        database: { ok: false },
        temporal: { ok: true },
        worker: { ok: true },
      });
      expect((await get('/healthz')).status).toBe(200);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  });

  it('refuses to start without a database and a cluster', async () => {
    const worker = run({ DATABASE_URL: '', TEMPORAL_ADDRESS: '' });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toMatch(/DATABASE_URL and TEMPORAL_ADDRESS are required/);
  });
});
