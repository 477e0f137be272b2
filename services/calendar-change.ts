// After a calendar correction, every running enrolment of the affected offices recomputes the deadlines that
// have not passed (its workflow owns them). Signals are sent a few at a time, so a national change to thousands
// of enrolments does not flood the server.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { enrolments } from '../db/schema.js';
import { calendarChangedSignal } from '../workflows/messages.js';

const parallel = 20;

export async function signalCalendarChange(db: Db, client: Client, officeId: string | null): Promise<number> {
  const running = await db
    .select({ workflowId: enrolments.workflowId })
    .from(enrolments)
    .where(
      and(inArray(enrolments.status, ['active', 'paused']), officeId ? eq(enrolments.officeId, officeId) : undefined),
    );
  let signalled = 0;
  for (let i = 0; i < running.length; i += parallel) {
    const batch = running.slice(i, i + parallel);
    await Promise.all(
      batch.map(async ({ workflowId }) => {
        try {
          await client.workflow.getHandle(workflowId).signal(calendarChangedSignal);
          signalled++;
        } catch (err) {
          // An enrolment that just finished has no workflow to tell; anything else is a real failure.
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }),
    );
  }
  return signalled;
}
