// Postgres stopped under a running API and worker, then started again: the API answers 503 with Retry-After instead of
// a 500, writes nothing of a request that failed, and recovers by itself (no restart) when Postgres is back; the
// worker's database writes fail, are retried by Temporal, and the case goes on without becoming stuck.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { App } from '../../api/app.js';
import { retryAfterSeconds } from '../../api/plugins/errors.js';
import { applyMigrations, connectDatabase, type Database } from '../../db/client.js';
import { enrolments, stepInstances } from '../../db/schema.js';
import { seedReference } from '../../db/seed/index.js';
import { halalRegular } from '../../domain/templates/index.js';
import { steadyPort } from '../../infra/ports.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../infra/postgres.js';
import { enrolmentWorkflowType, type EnrolmentInput } from '../../workflows/messages.js';
import { buildTestApp, testAdminToken } from '../helpers/app.js';
import { rowCounts } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createToken, createUser, kalselOffice } from '../helpers/fixtures.js';
import { createTestWorker, createTimeSkippingEnv } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const taskQueue = 'postgres-outage';

// This file stops and starts its own Postgres server, so it does not share the suite's.
describe('Postgres stopped and started again', () => {
  let dir: string;
  let port: number;
  let pg: EmbeddedPostgresHandle;
  let database: Database;
  let env: TestWorkflowEnvironment;
  let app: App;
  let worker: Worker;
  let running: Promise<void>;
  const admin = { authorization: `Bearer ${testAdminToken}` };
  let failedAttempts = 0;

  const startPostgres = () => startEmbeddedPostgres({ dataDir: dir, port, durable: false });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pendamping-pg-outage-'));
    chmodSync(dir, 0o755);
    port = await steadyPort();
    [pg, env] = await Promise.all([startPostgres(), createTimeSkippingEnv()]);
    database = connectDatabase(pg.url(), { max: 10 });
    await applyMigrations(database.db);
    await seedReference(database.db);
    app = await buildTestApp({ database, temporal: env.client, taskQueue });
    // The real activities, counting the attempts that failed, so the test sees Temporal retry them.
    const activities = Object.fromEntries(
      Object.entries(createActivities({ database })).map(([name, activity]) => [
        name,
        async (...args: unknown[]) => {
          try {
            return await (activity as (...a: unknown[]) => Promise<unknown>)(...args);
          } catch (err) {
            failedAttempts++;
            throw err;
          }
        },
      ]),
    );
    worker = await createTestWorker(env, { taskQueue, activities });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await app?.close();
    await database?.close();
    await pg?.stop();
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After, writes nothing, and serves again once Postgres is back', async () => {
    const office = await kalselOffice(database.db);
    const officer = await createUser(database.db, 'officer', office.id);
    const officerAuth = { authorization: `Bearer ${await createToken(database.db, officer.id)}` };
    const before = await rowCounts(database);

    await pg.stop();
    const newBusiness = {
      name: 'Amplang Ibu Sari',
      ownerName: 'Sari',
      nib: '9120001234567',
      kbli: '10794',
      regionCode: '6371',
    };
    const answers = [
      // The token look-up itself needs Postgres; the environment's admin token does not, so its handler runs and fails.
      await app.inject({ url: '/api/v1/businesses', headers: officerAuth }),
      await app.inject({ url: '/api/v1/businesses', headers: admin }),
      await app.inject({
        method: 'POST',
        url: '/api/v1/businesses',
        headers: admin,
        payload: { ...newBusiness, officeId: office.id },
      }),
    ];
    for (const res of answers) {
      expect(res.statusCode, res.body).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe(String(retryAfterSeconds));
      expect(res.json()).toMatchObject({ status: 503, retryAfterSeconds });
    }
    expect((await app.inject('/readyz')).statusCode).toBe(503);

    pg = await startPostgres();
    // The same app and connection pool, no restart: the pool reconnects on its next query.
    const listed = await waitFor(
      async () => {
        const res = await app.inject({ url: '/api/v1/businesses', headers: officerAuth });
        return res.statusCode === 200 ? res.json() : null;
      },
      { what: 'the API to serve again after Postgres restarted' },
    );
    expect(listed).toEqual({ items: [], nextCursor: null });
    expect(await rowCounts(database)).toEqual(before);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/businesses',
      headers: admin,
      payload: { ...newBusiness, officeId: office.id },
    });
    expect(created.statusCode, created.body).toBe(201);
  });

  it('retries the worker’s writes while Postgres is down; the case goes on and is not stuck', async () => {
    const office = await kalselOffice(database.db);
    const business = await createBusiness(database.db, office.id);
    const enrolment = await createActiveEnrolment(database.db, halalRegular, business.id, office.id);

    await pg.stop();
    const input: EnrolmentInput = { enrolmentId: enrolment.id, template: halalRegular };
    const handle = await env.client.workflow.start(enrolmentWorkflowType, {
      workflowId: enrolment.workflowId,
      taskQueue,
      args: [input],
    });
    // Temporal retries the first write against the stopped server, with a backoff that grows from a second.
    const failedBefore = failedAttempts;
    await waitFor(() => failedAttempts >= failedBefore + 3, {
      what: 'the first write to fail three times while Postgres is down',
    });

    pg = await startPostgres();
    const opened = await waitFor(
      async () => {
        const [step] = await database.db
          .select()
          .from(stepInstances)
          .where(eq(stepInstances.enrolmentId, enrolment.id));
        return step;
      },
      { what: 'the first step to be written once Postgres is back', timeoutMs: 60_000 },
    );
    expect(opened).toMatchObject({ stepKey: halalRegular.steps[0]!.key, status: 'open' });
    const [row] = await database.db.select().from(enrolments).where(eq(enrolments.id, enrolment.id));
    expect(row!.stuckAt).toBeNull();
    expect((await handle.query('status')) as { stuck: unknown }).toMatchObject({ stuck: null });
  });
});
