// Records the histories the replay test replays: one finished run of every built-in template (and a withdrawn one),
// a calendar fan-out of three batches, and the engine's newer paths (actions applied by the loop, a paused case's
// calendar correction, continue-as-new, a stuck write retried, a case started late at a step opened in the past), on
// the time-skipping server with stand-in activities.
// Run it when the workflow changes on purpose and commit the new files: an existing file is never overwritten, since a
// change that breaks replay of the old ones needs patched().
//   npm run record-histories
import proto from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProgrammeTemplate } from '../domain/template.js';
import { builtInTemplates } from '../domain/templates/index.js';
import { temporalTestServer } from '../infra/temporal-binaries.js';
import { workflowsPath } from '../infra/worker.js';
import type { CalendarFanOutActivities } from '../workflows/calendar-fan-out.js';
import {
  enrolmentWorkflowType,
  retryUpdate,
  statusQuery,
  withdrawUpdate,
  type EngineActivities,
} from '../workflows/messages.js';
import { driveEnrolment, standInActivities, type DriveOptions } from './drive-enrolment.js';

/** How many openStep calls still fail, for the stuck path. */
let failingOpens = 0;

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'replay', 'histories');
const { History } = proto.temporal.api.history.v1;

function save(workflowId: string, events: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): void {
  const file = join(out, `${workflowId}.json`);
  if (existsSync(file)) {
    console.log(`${workflowId}: kept the committed history`);
    return;
  }
  // protobufjs' JSON form (camelCase, longs as strings), which History.fromObject reads back.
  const history = History.toObject(History.create(events), { longs: String, enums: String, bytes: String });
  writeFileSync(file, JSON.stringify(history));
}

/** Three batches of signals, the cursor carried from one to the next. */
const standInFanOut: CalendarFanOutActivities = {
  async signalCalendarBatch({ after }) {
    const next: Record<string, string | null> = { start: 'cursor-1', 'cursor-1': 'cursor-2', 'cursor-2': null };
    return { signalled: next[after ?? 'start'] === null ? 40 : 100, next: next[after ?? 'start'] ?? null };
  },
};

async function recordCalendarFanOut(env: TestWorkflowEnvironment): Promise<void> {
  const workflowId = 'replay-calendar-fan-out';
  const handle = await env.client.workflow.start('calendarFanOutWorkflow', {
    workflowId,
    taskQueue: 'record-histories',
    args: [{ changeId: 1, officeId: null }],
  });
  console.log(`${workflowId}: ${JSON.stringify(await handle.result())}`);
  save(workflowId, await handle.fetchHistory());
}

async function record(
  env: TestWorkflowEnvironment,
  template: ProgrammeTemplate,
  workflowId: string,
  options: Pick<DriveOptions, 'withdraw' | 'continueAsNewAfterEvents' | 'startAt'> = {},
): Promise<void> {
  const { handle, state } = await driveEnrolment(env, template, {
    workflowId,
    taskQueue: 'record-histories',
    exerciseChanges: true,
    ...options,
  });
  // The first run: with continue-as-new, the one that hands its state on.
  save(workflowId, await env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).fetchHistory());
  console.log(`${workflowId}: ${state.phase}, ${state.history.length} steps`);
}

/** A write that fails until the case is stuck, then an officer's retry: the stuck path's commands. */
async function recordStuckRetry(env: TestWorkflowEnvironment, template: ProgrammeTemplate): Promise<void> {
  const workflowId = 'replay-engine2-stuck-retry';
  failingOpens = 10;
  const handle = await env.client.workflow.start(enrolmentWorkflowType, {
    workflowId,
    taskQueue: 'record-histories',
    args: [{ enrolmentId: '00000000-0000-4000-8000-000000000002', template }],
  });
  // The retries back off over minutes of workflow time, skipped while the script sleeps.
  while (!(await handle.query(statusQuery)).stuck) await env.sleep('1 minute');
  await handle.executeUpdate(retryUpdate, { args: [{ actor: { userId: null, role: 'admin' } }] });
  await handle.executeUpdate(withdrawUpdate, { args: [{ actor: { userId: null, role: 'admin' }, reason: 'uji' }] });
  await handle.result();
  save(workflowId, await handle.fetchHistory());
  console.log(`${workflowId}: stuck, retried, withdrawn`);
}

Runtime.install({ logger: new DefaultLogger('WARN') });
mkdirSync(out, { recursive: true });
const choice = temporalTestServer();
const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: {
    executable:
      choice.type === 'existing-path' ? { type: 'existing-path', path: choice.path } : { type: 'cached-download' },
  },
});
const worker = await Worker.create({
  connection: env.nativeConnection,
  taskQueue: 'record-histories',
  workflowsPath,
  activities: {
    ...standInActivities,
    ...standInFanOut,
    openStep: async (input: Parameters<EngineActivities['openStep']>[0]) => {
      if (failingOpens > 0) {
        failingOpens--;
        throw new Error('stand-in write failure');
      }
      return standInActivities.openStep(input);
    },
  },
});
await worker.runUntil(async () => {
  for (const template of builtInTemplates) await record(env, template, `replay-${template.key}-v${template.version}`);
  const halal = builtInTemplates[0]!;
  await record(env, halal, `replay-${halal.key}-v${halal.version}-withdrawn`, { withdraw: true });
  await recordCalendarFanOut(env);
  await record(env, halal, 'replay-engine2-halal-regular');
  await record(env, halal, 'replay-engine2-continue-as-new', { continueAsNewAfterEvents: 60 });
  await recordStuckRetry(env, halal);
  // A case already under way: its step opened ten days ago, so it starts late (a stale reminder dropped).
  const tenDaysAgo = (await env.currentTimeMs()) - 10 * 86_400_000;
  await record(env, halal, 'replay-start-at-late-case', {
    startAt: { stepKey: 'readiness_review', openedAt: tenDaysAgo },
  });
});
await env.teardown();
