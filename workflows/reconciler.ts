// The reconciler: a Temporal schedule runs this every minute. It starts the workflows whose start was lost between a
// commit and the start (the outbox: enrolments, calendar fan-outs), and gives pooled quota places to waiting
// enrolments. All of it is one activity: the workflow only makes the pass durable and retried.
import { proxyActivities } from '@temporalio/workflow';

export interface ReconcileResult {
  /** Enrolments promoted into pooled places whose pooling date has passed. */
  promoted: number;
  /** Workflows started from the outbox (enrolments, calendar fan-outs). */
  started: number;
  /** Outbox rows still waiting after the pass (their start failed; the next pass retries them). */
  pending: number;
}

export interface ReconcilerActivities {
  reconcile(): Promise<ReconcileResult>;
}

const { reconcile } = proxyActivities<ReconcilerActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['NotConfigured'] },
});

export async function reconcileWorkflow(): Promise<ReconcileResult> {
  return reconcile();
}
