// Once per test run: one embedded Postgres server (each test file makes its own database on it) and one bundle
// of the workflow code (each worker loads it instead of bundling again). Test data is thrown away, so that Postgres
// runs without fsync (durable: false); `npm start` keeps it durable.
import { bundleWorkflowCode } from '@temporalio/worker';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../infra/ports.js';
import { startEmbeddedPostgres } from '../../infra/postgres.js';
import { workflowsPath } from '../../infra/worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgPort: number;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'pendamping-test-'));
  // Postgres runs as its own system user (we are root), which must be able to reach its data folder.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const [pg, bundle] = await Promise.all([
    startEmbeddedPostgres({ dataDir: dir, port, persistent: false, durable: false }),
    bundleWorkflowCode({
      workflowsPath,
      logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never,
    }),
  ]);
  mkdirSync(join(dir, 'bundle'), { recursive: true });
  const workflowBundlePath = join(dir, 'bundle', 'workflows.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('pgAdminUrl', pg.url());
  project.provide('pgPort', port);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
