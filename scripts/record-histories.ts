// Records the histories the replay test replays: one finished run of every built-in template (and a withdrawn one),
// on the time-skipping server with stand-in activities. Run it when the workflow changes on purpose, commit the output
// next to the old files (never over them): a change that breaks replay of the old ones needs patched().
//   npm run record-histories
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProgrammeTemplate } from '../domain/template.js';
import { builtInTemplates } from '../domain/templates/index.js';
import { temporalTestServer } from '../infra/temporal-binaries.js';
import { workflowsPath } from '../infra/worker.js';
import {
  completeStepUpdate,
  enrolmentWorkflowType,
  extendDeadlineUpdate,
  pauseUpdate,
  resumeUpdate,
  withdrawUpdate,
  type EngineActivities,
  type EnrolmentState,
  type StepTiming,
} from '../workflows/messages.js';

const day = 86_400_000;
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'replay', 'histories');
const officer = { userId: null, role: 'officer' as const };

function timing(openedAt: number): StepTiming {
  const dueAt = openedAt + 3 * day;
  return { openedAt, dueAt, notices: [{ kind: 'reminder', at: openedAt + day }, { kind: 'overdue', at: dueAt + 3_600_000 }] };
}

const activities: EngineActivities = {
  openStep: async ({ openedAt }) => timing(openedAt),
  rescheduleStep: async ({ at, change }) => (change.kind === 'pause' ? { openedAt: at, dueAt: at + day, notices: [] } : timing(at)),
  sendNotice: async () => {},
  closeStep: async () => {},
  finishEnrolment: async () => {},
  withdrawEnrolment: async () => {},
};

/** The first outcome of each step, except that a loop is taken once where a step offers one. */
function choose(template: ProgrammeTemplate, stepKey: string, visits: Record<string, number>): string {
  const step = template.steps.find((s) => s.key === stepKey)!;
  const looping = step.outcomes.find((o) => o.next && visits[o.next] !== undefined && o.next !== stepKey);
  const onward = step.outcomes.find((o) => o.next === null || visits[o.next] === undefined) ?? step.outcomes[0]!;
  const backTo = looping?.next ? template.steps.find((s) => s.key === looping.next) : undefined;
  if (looping && backTo?.maxVisits && (visits[looping.next!] ?? 0) < 2) return looping.key;
  return (step.outcomes.find((o) => o.next !== null && visits[o.next] === undefined && !o.terminal) ?? onward).key;
}

async function record(env: TestWorkflowEnvironment, template: ProgrammeTemplate, withdraw: boolean): Promise<void> {
  const workflowId = `replay-${template.key}-v${template.version}${withdraw ? '-withdrawn' : ''}`;
  const handle = await env.client.workflow.start(enrolmentWorkflowType, {
    workflowId,
    taskQueue: 'record-histories',
    args: [{ enrolmentId: '00000000-0000-4000-8000-000000000001', template }],
  });
  let state: EnrolmentState = await handle.query('status');
  while (!state.current?.dueAt) state = await handle.query('status');
  let first = true;
  while (state.phase === 'active' && state.current) {
    await env.sleep(4 * day);
    if (first) {
      // Every kind of change a running enrolment can get, so the histories cover every handler.
      await handle.executeUpdate(extendDeadlineUpdate, { args: [{ actor: officer, reason: 'rekaman', addWorkingDays: 2 }] });
      await handle.executeUpdate(pauseUpdate, { args: [{ actor: officer, reason: 'rekaman' }] });
      await env.sleep(2 * day);
      await handle.executeUpdate(resumeUpdate, { args: [{ actor: officer }] });
      await handle.signal('calendarChanged');
      first = false;
      if (withdraw) {
        state = await handle.executeUpdate(withdrawUpdate, { args: [{ actor: officer, reason: 'rekaman' }] });
        break;
      }
    }
    const step = template.steps.find((s) => s.key === state.current!.stepKey)!;
    state = await handle.executeUpdate(completeStepUpdate, {
      args: [
        {
          actor: officer,
          stepKey: step.key,
          outcome: choose(template, step.key, state.visits),
          documents: step.checklist.map((c) => c.key),
          ...(step.recordsCertificate ? { certificate: { number: 'REKAMAN-1', issuedOn: '2027-01-01', scope: 'rekaman' } } : {}),
        },
      ],
    });
  }
  await handle.result();
  // protobufjs' JSON form (camelCase, longs as strings), which historyFromJSON reads back.
  writeFileSync(join(out, `${workflowId}.json`), JSON.stringify(proto.temporal.api.history.v1.History.toObject(proto.temporal.api.history.v1.History.create(await handle.fetchHistory()), { longs: String, enums: String, bytes: String })));
  console.log(`${workflowId}: ${state.phase}, ${state.history.length} steps`);
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  mkdirSync(out, { recursive: true });
  const choice = temporalTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: choice.type === 'existing-path' ? { type: 'existing-path', path: choice.path } : { type: 'cached-download' } },
  });
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'record-histories', workflowsPath, activities });
  await worker.runUntil(async () => {
    for (const template of builtInTemplates) await record(env, template, false);
    await record(env, builtInTemplates[0]!, true);
  });
  await env.teardown();
}

await main();
