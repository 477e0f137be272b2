import type { Client } from '@temporalio/client';
import type { Database } from '../db/client.js';
import { createEngineActivities } from './engine.js';
import { createReconcilerActivities } from './reconciler.js';

export interface ActivityDeps {
  database: Database;
  /** The reconciler starts workflows; without a client its activity fails, saying so. */
  temporal?: { client: Client; taskQueue: string };
}

/** Every activity the worker runs, built from its dependencies (the database pool, the Temporal client). */
export function createActivities(deps: ActivityDeps) {
  return { ...createEngineActivities(deps), ...createReconcilerActivities(deps) };
}
