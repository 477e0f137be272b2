// A calendar correction reaches every running enrolment of the office (or of every office, for a national day): this
// workflow signals them in batches through an activity, keeping the cursor (the last enrolment id done) in its own
// history. A worker that dies mid-way loses nothing: the batch in flight is retried, and the batches done are not
// repeated. Started from the outbox row committed with the correction (workflow ID from that row), so a lost start is
// made by the reconciler and a repeated start is harmless.
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';

export interface CalendarFanOutInput {
  /** The outbox row committed with the correction. */
  changeId: number;
  /** null: a national day, every office. */
  officeId: string | null;
  /** Carried over a continue-as-new: the last enrolment signalled, and how many were. */
  after?: string | null;
  signalled?: number;
}

export interface CalendarBatch {
  signalled: number;
  /** The cursor for the next batch; null when this batch was the last. */
  next: string | null;
}

export interface CalendarFanOutActivities {
  signalCalendarBatch(input: { officeId: string | null; after: string | null }): Promise<CalendarBatch>;
}

const { signalCalendarBatch } = proxyActivities<CalendarFanOutActivities>({
  startToCloseTimeout: '1 minute',
  // A batch heartbeats after every few signals: one whose worker died is given to another within seconds.
  heartbeatTimeout: '10 seconds',
  // The correction must arrive: retried until it does, at most a minute apart (a failure is a Temporal or database
  // outage, which ends).
  retry: { maximumInterval: '1 minute' },
});

export async function calendarFanOutWorkflow(input: CalendarFanOutInput): Promise<{ signalled: number }> {
  let after = input.after ?? null;
  let signalled = input.signalled ?? 0;
  for (;;) {
    const batch = await signalCalendarBatch({ officeId: input.officeId, after });
    signalled += batch.signalled;
    if (batch.next === null) return { signalled };
    after = batch.next;
    // Tens of thousands of enrolments make a long history: carry the cursor into a fresh one.
    if (workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof calendarFanOutWorkflow>({ ...input, after, signalled });
    }
  }
}
