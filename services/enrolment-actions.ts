// Office and business actions on a running enrolment go to its workflow as Updates: the workflow validates them
// (right step, right role, right state) and answers with its new state. Its rejections become domain errors.
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { DomainError, type DomainErrorKind } from '../domain/errors.js';
import { rejection, type EnrolmentState } from '../workflows/messages.js';

const kindFor: Record<string, DomainErrorKind> = {
  [rejection.wrongState]: 'conflict',
  [rejection.wrongRole]: 'forbidden',
  [rejection.invalid]: 'unprocessable',
  // Accepted, but a write it needs keeps failing: the server's trouble, not the caller's; the case shows it as stuck.
  [rejection.stuck]: 'unavailable',
};

export async function runUpdate(
  client: Client,
  workflowId: string,
  send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<EnrolmentState>,
): Promise<EnrolmentState> {
  try {
    return await send(client.workflow.getHandle(workflowId));
  } catch (err) {
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
