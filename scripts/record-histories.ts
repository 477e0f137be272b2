// Records the histories the replay test replays: one finished run of every built-in template (and a withdrawn one),
// and a calendar fan-out of three batches, on the time-skipping server with stand-in activities. Run it when the workflow changes on purpose and commit the
// output next to the old files (never over them): a change that breaks replay of the old ones needs patched().
//   npm run record-histories
import proto from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProgrammeTemplate } from '../domain/template.js';
import { builtInTemplates } from '../domain/templates/index.js';
import { temporalTestServer } from '../infra/temporal-binaries.js';
import { workflowsPath } from '../infra/worker.js';
import type { CalendarFanOutActivities } from '../workflows/calendar-fan-out.js';
import { driveEnrolment, standInActivities } from './drive-enrolment.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'replay', 'histories');
const { History } = proto.temporal.api.history.v1;

function save(workflowId: string, events: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): void {
  // protobufjs' JSON form (camelCase, longs as strings), which History.fromObject reads back.
  const history = History.toObject(History.create(events), { longs: String, enums: String, bytes: String });
  writeFileSync(join(out, `${workflowId}.json`), JSON.stringify(history));
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

async function record(env: TestWorkflowEnvironment, template: ProgrammeTemplate, withdraw: boolean): Promise<void> {
  const workflowId = `replay-${template.key}-v${template.version}${withdraw ? '-withdrawn' : ''}`;
  const { handle, state } = await driveEnrolment(env, template, {
    workflowId,
    taskQueue: 'record-histories',
    exerciseChanges: true,
    withdraw,
  });
  save(workflowId, await handle.fetchHistory());
  console.log(`${workflowId}: ${state.phase}, ${state.history.length} steps`);
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
  activities: { ...standInActivities, ...standInFanOut },
});
await worker.runUntil(async () => {
  for (const template of builtInTemplates) await record(env, template, false);
  await record(env, builtInTemplates[0]!, true);
  await recordCalendarFanOut(env);
});
await env.teardown();
