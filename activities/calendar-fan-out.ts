// The calendar fan-out's one activity: a batch of signals to running enrolments (services/calendar-change.ts).
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client.js';
import { signalCalendarBatch } from '../services/calendar-change.js';
import type { CalendarFanOutActivities } from '../workflows/calendar-fan-out.js';

export function createCalendarFanOutActivities(deps: {
  database: Database;
  temporal?: { client: Client; taskQueue: string };
}): CalendarFanOutActivities {
  return {
    async signalCalendarBatch(input) {
      // The worker's own client when the process has none of its own to give (a worker built for tests), so a
      // correction always reaches running cases.
      const context = Context.current();
      const client = deps.temporal?.client ?? context.client;
      return signalCalendarBatch(deps.database.db, client, input, () => context.heartbeat());
    },
  };
}
