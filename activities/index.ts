import type { Client } from '@temporalio/client';
import type { Database } from '../db/client.js';
import { createCalendarFanOutActivities } from './calendar-fan-out.js';
import { createEngineActivities } from './engine.js';
import { createReconcilerActivities } from './reconciler.js';
import { createVisitPlanActivities } from './visit-plans.js';

export interface ActivityDeps {
  database: Database;
  /** The reconciler starts workflows; without a client its activity fails, saying so. The calendar fan-out signals
   * through it, or through the worker's own client when it is absent. */
  temporal?: { client: Client; taskQueue: string };
}

/** Every activity the worker runs, built from its dependencies (the database pool, the Temporal client). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createEngineActivities(deps),
    ...createReconcilerActivities(deps),
    ...createCalendarFanOutActivities(deps),
    ...createVisitPlanActivities(deps),
  };
}
