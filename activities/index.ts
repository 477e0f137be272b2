import type { Database } from '../db/client.js';
import { createEngineActivities } from './engine.js';

export interface ActivityDeps {
  database: Database;
}

/** Every activity the worker runs, built from its dependencies (the database pool). */
export function createActivities(deps: ActivityDeps) {
  return { ...createEngineActivities(deps) };
}
