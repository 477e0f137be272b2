import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';
import { temporalCli, temporalTestServer } from '../../infra/temporal-binaries.js';

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
