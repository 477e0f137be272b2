// Office and business actions on a running enrolment go to its workflow as Updates: the workflow validates them
// (right step, right role, right state) and answers with its new state. Its rejections become domain errors.
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { DomainError, type DomainErrorKind } from '../domain/errors.js';
import { rejection, type EnrolmentState } from '../workflows/messages.js';

const kindFor: Record<string, DomainErrorKind> = {
  [rejection.wrongState]: 'conflict',
  [rejection.wrongRole]: 'forbidden',
  [rejection.invalid]: 'unprocessable',
  // Accepted, but a write it needs keeps failing: the server's trouble, not the caller's; the case shows it as stuck.
  [rejection.stuck]: 'unavailable',
};

/**
 * How long a person waits for the workflow's answer to an action. An action is applied by a worker; with none running
 * (a deploy, a crash) Temporal holds the Update until one comes back, and an HTTP request must not hang that long.
 */
export const actionAnswerMs = 20_000;
/** What a caller who got no answer is told to wait before looking at the case again. */
const retryAfterSeconds = 10;

export async function runUpdate(
  client: Client,
  workflowId: string,
  send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<EnrolmentState>,
  answerWithinMs = actionAnswerMs,
): Promise<EnrolmentState> {
  try {
    return await client.connection.withDeadline(Date.now() + answerWithinMs, () =>
      send(client.workflow.getHandle(workflowId)),
    );
  } catch (err) {
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      // Not refused: the Update may still be applied when a worker takes it. Sent again with the same action ID (the
      // Idempotency-Key) it is answered once applied, never applied twice.
      const seconds = Math.round(answerWithinMs / 1000);
      throw new DomainError(
        'unavailable',
        `Mesin alur kerja belum menjawab dalam ${seconds} detik; tindakan mungkin masih diterapkan. Lihat kasusnya ` +
          `sebelum mencoba lagi / The workflow engine did not answer within ${seconds} s; the action may still be ` +
          'applied. Look at the case before trying again',
        { retryAfterSeconds },
      );
    }
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const kind = kindFor[err.cause.type ?? ''];
      if (kind) throw new DomainError(kind, err.cause.message);
    }
    if (err instanceof WorkflowNotFoundError) {
      throw new DomainError(
        'conflict',
        'Alur kerja pendaftaran ini tidak berjalan / This enrolment has no running workflow',
      );
    }
    throw err;
  }
}
