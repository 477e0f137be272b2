// The baseline of the open-enrolments benchmark: a workflow that does nothing but wait on one Temporal timer until an
// instant, and answers how late (ms) its workflow task ran after it. Bundled by the benchmark only, never shipped.
import { sleep } from '@temporalio/workflow';

export async function bareTimerWorkflow(at: number): Promise<number> {
  await sleep(Math.max(at - Date.now(), 1));
  return Date.now() - at;
}
