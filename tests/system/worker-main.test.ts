// The production worker process (`npm run worker`): it needs a database and a cluster, polls, and stops on SIGTERM.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createTimeSkippingEnv } from '../helpers/temporal.js';

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

  it('refuses to start without a database and a cluster', async () => {
    const worker = run({ DATABASE_URL: '', TEMPORAL_ADDRESS: '' });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toMatch(/DATABASE_URL and TEMPORAL_ADDRESS are required/);
  });
});
