// What most API and workflow tests run on: a database of their own, a time-skipping Temporal server, the API on both,
// and, when a test's cases run their workflows, a worker on the suite's bundle with the real activities (or the test's
// own wrapping of them).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import type { App } from '../../api/app.js';
import type { DocumentStore } from '../../services/documents/store.js';
import { buildTestApp, testDocumentStore } from './app.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { createTestWorker, createTimeSkippingEnv } from './temporal.js';

type Activities = ReturnType<typeof createActivities>;

export interface TestStack {
  database: TestDatabase;
  env: TestWorkflowEnvironment;
  app: App;
  documentStore: DocumentStore;
  /** Stops the API, then the worker (waiting for its run to end), then drops the database and stops the server. */
  stop(): Promise<void>;
}

export async function startTestStack(
  options: {
    /** The API's and the worker's task queue. */
    taskQueue?: string;
    /** Runs a worker with the real activities on the test's database (`true`), or with the test's wrapping of them. */
    worker?: true | ((real: Activities) => object);
    documentStore?: DocumentStore;
    readCacheMb?: number;
  } = {},
): Promise<TestStack> {
  const [database, env] = await Promise.all([createTestDatabase(), createTimeSkippingEnv()]);
  let worker: Worker | null = null;
  let running: Promise<void> = Promise.resolve();
  if (options.worker) {
    if (!options.taskQueue) throw new Error('a worker needs the task queue its cases run on');
    const real = createActivities({ database });
    worker = await createTestWorker(env, {
      taskQueue: options.taskQueue,
      activities: options.worker === true ? real : options.worker(real),
    });
    running = worker.run();
  }
  const documentStore = options.documentStore ?? testDocumentStore();
  const app = await buildTestApp({
    database,
    temporal: env.client,
    documentStore,
    ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
    ...(options.readCacheMb !== undefined ? { readCacheMb: options.readCacheMb } : {}),
  });
  return {
    database,
    env,
    app,
    documentStore,
    stop: async () => {
      await app.close();
      worker?.shutdown();
      await running;
      await Promise.all([database.drop(), env.teardown()]);
    },
  };
}

/** A JSON call to the API as the holder of `token`, or of `as` for one call. */
export const apiCaller =
  (app: App, token: string) =>
  (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, as = token) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${as}` },
      ...(body ? { payload: body as object } : {}),
    });
export type ApiCall = ReturnType<typeof apiCaller>;
