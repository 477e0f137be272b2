// What the intake and import benchmarks run on: a real Postgres (embedded, in a temporary folder) and the Temporal dev
// server, both started for the benchmark and stopped after it, plus the API built as `npm start` builds it.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildApp, type App } from '../api/app.js';
import { apiLoggerOptions } from '../api/request-log.js';
import { hashToken } from '../services/credentials.js';
import { applyMigrations, connectDatabase, type Database } from '../db/client.js';
import { apiTokens, businesses, offices, users } from '../db/schema.js';
import { seedReference } from '../db/seed/index.js';
import { loadConfig } from '../infra/config.js';
import { freePort } from '../infra/ports.js';
import { startEmbeddedPostgres } from '../infra/postgres.js';
import { folderStore } from '../services/documents/folder-store.js';
import { temporalCli } from '../infra/temporal-binaries.js';

export const adminToken = `bench-admin-${randomBytes(12).toString('hex')}`;

export interface Stack {
  database: Database;
  /** The database's URL, for a process of its own (a worker). */
  databaseUrl: string;
  env: TestWorkflowEnvironment;
  app: App;
  taskQueue: string;
  kalselId: string;
  stop(): Promise<void>;
}

export async function startStack(
  options: {
    temporal?: boolean;
    /**
     * A folder whose Postgres outlives the run (created when missing, kept after it), for data that takes minutes to
     * generate; a temporary folder, removed at the end, without it.
     */
    dataDir?: string;
    /**
     * The API logs as `npm start` makes it log (LOG_LEVEL info, one line per request), to this file instead of stdout;
     * without it the API does not log.
     */
    logFile?: string;
  } = {},
): Promise<Stack> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'pendamping-bench-'));
  mkdirSync(dir, { recursive: true });
  // Postgres runs as its own system user when we are root; it must be able to reach its folder.
  chmodSync(dir, 0o755);
  const choice = temporalCli();
  const [pg, env] = await Promise.all([
    freePort().then((port) =>
      startEmbeddedPostgres({ dataDir: dir, port, persistent: options.dataDir !== undefined, durable: false }),
    ),
    options.temporal === false
      ? Promise.resolve(null)
      : TestWorkflowEnvironment.createLocal({
          server: {
            executable:
              choice.type === 'existing-path'
                ? { type: 'existing-path', path: choice.path }
                : { type: 'cached-download' },
            extraArgs: ['--headless', '--log-level', 'error'],
          },
        }),
  ]);
  // The pool `npm start` uses: the figures are those of the shipped configuration.
  const database = connectDatabase(pg.url());
  await applyMigrations(database.db);
  await seedReference(database.db);
  const [kalsel] = await database.db.select().from(offices).where(eq(offices.regionCode, '63'));
  const taskQueue = 'bench-nobody-polls';
  const app = await buildApp({
    config: {
      LOG_LEVEL: options.logFile ? 'info' : 'silent',
      TEMPORAL_TASK_QUEUE: taskQueue,
      PENDAMPING_ADMIN_TOKEN: adminToken,
      CORS_ORIGINS: undefined,
      // The shipped default; READ_CACHE_MB=0 measures the reads without the cache.
      READ_CACHE_MB: loadConfig({ READ_CACHE_MB: process.env.READ_CACHE_MB }).READ_CACHE_MB,
    },
    database,
    temporal: env?.client ?? (null as never),
    documentStore: folderStore(mkdtempSync(join(tmpdir(), 'pendamping-bench-documents-'))),
    logger: options.logFile ? apiLoggerOptions('info', options.logFile) : false,
  });
  return {
    database,
    databaseUrl: pg.url(),
    env: env as TestWorkflowEnvironment,
    app,
    taskQueue,
    kalselId: kalsel!.id,
    stop: async () => {
      await app.close();
      await database.close();
      await env?.teardown();
      await pg.stop();
      if (options.dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Bearer headers of officers of one office: one-by-one enrolment is rate-limited per person, as at a real office. */
export async function officers(database: Database, officeId: string, n: number): Promise<{ authorization: string }[]> {
  const created = await database.db
    .insert(users)
    .values(Array.from({ length: n }, (_, i) => ({ name: `Petugas ${i}`, role: 'officer' as const, officeId })))
    .returning({ id: users.id });
  const tokens = created.map(() => `b-${randomBytes(24).toString('hex')}`);
  await database.db.insert(apiTokens).values(
    created.map((u, i) => ({
      userId: u.id,
      tokenHash: hashToken(tokens[i]!),
      kind: 'session' as const,
      expiresAt: new Date(Date.now() + 86_400_000),
    })),
  );
  return tokens.map((t) => ({ authorization: `Bearer ${t}` }));
}

/** Runs `task(i)` for i < n with at most `concurrency` in flight; returns the wall time in seconds. */
export async function timed(n: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Businesses of an office in Banjarmasin, inserted in batches; NIBs 8xxxxxxxxxxxx. */
export async function insertBusinesses(database: Database, officeId: string, n: number) {
  const out: (typeof businesses.$inferSelect)[] = [];
  for (let i = 0; i < n; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
      officeId,
      name: `IKM Bench ${i + j}`,
      ownerName: 'Hj. Rusmini',
      nib: `8${String(i + j).padStart(12, '0')}`,
      kbli: '10792',
      regionCode: '6371',
      exportOriented: (i + j) % 10 === 0,
    }));
    out.push(...(await database.db.insert(businesses).values(rows).returning()));
  }
  return out;
}
