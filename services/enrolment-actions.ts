// Office and business actions on a running enrolment go to its workflow as Updates: the workflow validates them
// (right step, right role, right state) and answers with its new state. Their rejections become 403/409/422.
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { HttpProblem } from '../api/problem.js';
import { rejection, type EnrolmentState } from '../workflows/messages.js';

const statusFor: Record<string, number> = {
  [rejection.wrongState]: 409,
  [rejection.wrongRole]: 403,
  [rejection.invalid]: 422,
  // Accepted, but a write it needs keeps failing: the server's trouble, not the caller's; the case shows it as stuck.
  [rejection.stuck]: 503,
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
      const status = statusFor[err.cause.type ?? ''];
      if (status) throw new HttpProblem(status, err.cause.message);
    }
    if (err instanceof WorkflowNotFoundError) {
      throw new HttpProblem(409, 'Alur kerja pendaftaran ini tidak berjalan / This enrolment has no running workflow');
    }
    throw err;
  }
}
