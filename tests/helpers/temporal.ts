import { isGrpcDeadlineError } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';
import { temporalCli, temporalTestServer } from '../../infra/temporal-binaries.js';
import { waitFor } from './wait.js';

function executable(choice: ReturnType<typeof temporalCli>) {
  return choice.type === 'existing-path'
    ? { type: 'existing-path' as const, path: choice.path }
    : { type: 'cached-download' as const };
}

/** The Java SDK's time-skipping test server: months of timers pass in milliseconds. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: executable(temporalTestServer()) } });
}

/** The real dev server (schedules work here, not on the time-skipping server). */
export function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: executable(temporalCli()), extraArgs: ['--headless'] },
  });
}

/** A worker on the suite's prebuilt workflow bundle. */
export function createTestWorker(
  env: TestWorkflowEnvironment,
  options: Pick<WorkerOptions, 'activities'> & { taskQueue: string },
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: options.taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: options.activities,
  });
}

/**
 * The result of a workflow that may have continued as new, read from its last run once that run has closed. A
 * handle's result() follows the runs from the first with a long poll per run, and the time-skipping test server
 * sometimes never answers the poll on a run that continued as new in the task that completed an update (caught: run 1
 * closed with CONTINUED_AS_NEW, the last run COMPLETED, the poll still waiting). Its time-skipping client unlocks time
 * skipping for the poll and locks it again only when the poll ends, so one such poll also stalls every later test on
 * the same server that needs time to be held.
 */
export async function lastRunResult<T>(env: TestWorkflowEnvironment, workflowId: string): Promise<T> {
  const runId = await waitFor(
    async () => {
      const run = await env.client.workflow.getHandle(workflowId).describe();
      return run.status.name === 'RUNNING' ? null : run.runId;
    },
    { what: `the last run of ${workflowId} to close` },
  );
  return env.client.workflow.getHandle(workflowId, runId).result() as Promise<T>;
}

/** How long a query in a test waits for its answer before it is asked again. */
const queryAnswerMs = 5_000;

/**
 * A query to a workflow's current run, asked again when no answer comes within queryAnswerMs. The time-skipping test
 * server sometimes never answers a query that reaches a run as it continues as new (caught twice in the continue-as-new
 * case, once in a full run of the suite and once in 36 looped runs: the query still waiting when the test's minute
 * ran out, and the three tests after it timing out too); without a deadline the query waits for ever.
 */
export async function queryCurrentRun<T>(
  env: TestWorkflowEnvironment,
  workflowId: string,
  query: QueryDefinition<T>,
  attempts = 4,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await env.client.connection.withDeadline(Date.now() + queryAnswerMs, () =>
        env.client.workflow.getHandle(workflowId).query(query),
      );
    } catch (err) {
      if (attempt >= attempts || !isGrpcDeadlineError(err)) throw err;
      console.warn(`query ${query.name} on ${workflowId}: no answer within ${queryAnswerMs} ms; asked again`);
    }
  }
}
