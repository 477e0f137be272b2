// The activities of a visit plan's monthly run: thin, over services/visits/occurrences.ts.
import type { Database } from '../db/client.js';
import { createPlannedVisits, remindVisitTeam } from '../services/visits/occurrences.js';
import type { VisitPlanActivities } from '../workflows/visit-plan.js';

export function createVisitPlanActivities(deps: { database: Database }): VisitPlanActivities {
  const { db } = deps.database;
  return {
    createPlannedVisits: (input) => createPlannedVisits(db, input),
    remindVisitTeam: ({ visitId, at }) => remindVisitTeam(db, visitId, at),
  };
}
