// `npm run worker`: a worker process on its own, for production where API and workers scale apart
// (docker-compose.yml). It needs DATABASE_URL and TEMPORAL_ADDRESS; it starts nothing embedded.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { connectDatabase } from '../db/client.js';
import { ConfigError, loadConfig } from './config.js';
import { startHealthServer } from './health.js';
import { startNotificationDelivery } from './notifications.js';
import { createWorker } from './worker.js';

const say = (line: string) => process.stdout.write(`[pendamping-worker] ${line}\n`);

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new ConfigError(
      'Konfigurasi tidak lengkap / Incomplete configuration:\n  DATABASE_URL and TEMPORAL_ADDRESS are required for a separate worker',
    );
  }
  Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL === 'debug' ? 'DEBUG' : 'INFO') });
  const database = connectDatabase(config.DATABASE_URL);
  const [native, connection] = await Promise.all([
    NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }),
    Connection.connect({ address: config.TEMPORAL_ADDRESS }),
  ]);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const worker = await createWorker({
    connection: native,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    database,
    temporal: { client, taskQueue: config.TEMPORAL_TASK_QUEUE },
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    ...(config.WORKFLOW_BUNDLE_PATH ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE_PATH } } : {}),
  });
  // Ready while it can do its work: Postgres and Temporal answer and the worker polls (not yet, or no longer, while it
  // starts or drains on SIGTERM).
  const health =
    config.WORKER_HEALTH_PORT === undefined
      ? null
      : await startHealthServer({
          host: config.HOST,
          port: config.WORKER_HEALTH_PORT,
          checks: {
            database: () => database.sql`select 1`,
            temporal: () => connection.workflowService.getSystemInfo({}),
            worker: () => {
              if (worker.getState() !== 'RUNNING') throw new Error(`worker ${worker.getState().toLowerCase()}`);
            },
          },
        });
  if (health) say(`health on http://${config.HOST}:${config.WORKER_HEALTH_PORT}/healthz and /readyz`);
  const delivery = await startNotificationDelivery(config, database, say);
  say(`polling ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
  // The SDK shuts the worker down on SIGINT/SIGTERM and lets running activities finish; then run() resolves.
  await worker.run();
  await delivery.stop();
  await health?.close();
  await Promise.all([native.close(), connection.close(), database.close()]);
  say('stopped.');
}

main().catch((err: unknown) => {
  process.stderr.write(
    `[pendamping-worker] ${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
