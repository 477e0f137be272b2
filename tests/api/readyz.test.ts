import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { connectDatabase, type Database } from '../../db/client.js';
import { freePort } from '../../infra/ports.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../infra/postgres.js';
import { buildTestApp } from '../helpers/app.js';
import { createTimeSkippingEnv } from '../helpers/temporal.js';

// This file stops and starts its own Postgres server, so it does not share the suite's.
describe('/healthz and /readyz', () => {
  let dir: string;
  let port: number;
  let pg: EmbeddedPostgresHandle;
  let database: Database;
  let env: TestWorkflowEnvironment;
  let app: App;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pendamping-readyz-'));
    chmodSync(dir, 0o755);
    port = await freePort();
    [pg, env] = await Promise.all([
      startEmbeddedPostgres({ dataDir: dir, port, durable: false }),
      createTimeSkippingEnv(),
    ]);
    database = connectDatabase(pg.url());
    app = await buildTestApp({ database, temporal: env.client });
  });

  afterAll(async () => {
    await app.close();
    await database.close();
    await pg.stop();
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is live and ready while Postgres and Temporal answer', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', database: { ok: true }, temporal: { ok: true } });
  });

  it('answers 503 while Postgres is stopped and 200 again when it is back', async () => {
    await pg.stop();
    const down = await app.inject('/readyz');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'not_ready', database: { ok: false }, temporal: { ok: true } });
    expect((await app.inject('/healthz')).statusCode).toBe(200);

    pg = await startEmbeddedPostgres({ dataDir: dir, port, durable: false });
    const back = await app.inject('/readyz');
    expect(back.statusCode).toBe(200);
  });
});
