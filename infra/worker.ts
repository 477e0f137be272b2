import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../db/client.js';
import { createActivities } from '../activities/index.js';

export const workflowsPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'workflows', 'index.ts');

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  database: Database;
  /** For the reconciler's activity, which starts workflows. */
  temporal?: { client: Client; taskQueue: string };
  /** A prebuilt bundle (tests build it once per suite); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  activities?: object;
  /**
   * Workflows kept in memory between their tasks (WORKER_MAX_CACHED_WORKFLOWS). The SDK's own default, sized on the
   * heap (about 2,300 on a 4 GiB heap), assumes a workflow holds far more than an enrolment does.
   */
  maxCachedWorkflows?: number;
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath }),
    activities: deps.activities ?? createActivities({ database: deps.database, temporal: deps.temporal }),
    ...(deps.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: deps.maxCachedWorkflows }),
  });
}
