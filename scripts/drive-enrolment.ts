// Drives one enrolment workflow through a template on a time-skipping server with stand-in activities:
// shared by the history recorder and the engine benchmark, which need the same realistic run.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { ProgrammeTemplate } from '../domain/template.js';
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
const officer = { userId: null, role: 'officer' as const };

function timing(openedAt: number): StepTiming {
  const dueAt = openedAt + 3 * day;
  return {
    openedAt,
    dueAt,
    notices: [
      { kind: 'reminder', at: openedAt + day },
      { kind: 'overdue', at: dueAt + 3_600_000 },
    ],
  };
}

/** Activities that answer like the real ones (a deadline, a reminder and an overdue notice) without a database. */
export const standInActivities: EngineActivities = {
  openStep: async ({ openedAt }) => timing(openedAt),
  rescheduleStep: async ({ at, change }) =>
    change.kind === 'pause' ? { openedAt: at, dueAt: at + day, notices: [] } : timing(at),
  sendNotice: async () => {},
  closeStep: async () => {},
  finishEnrolment: async () => {},
  withdrawEnrolment: async () => {},
  markStuck: async () => {},
};

/** The first onward outcome of each step, except that a bounded loop is taken once where a step offers one. */
function choose(template: ProgrammeTemplate, stepKey: string, visits: Record<string, number>): string {
  const step = template.steps.find((s) => s.key === stepKey)!;
  const looping = step.outcomes.find((o) => o.next && visits[o.next] !== undefined && o.next !== stepKey);
  const backTo = looping?.next ? template.steps.find((s) => s.key === looping.next) : undefined;
  if (looping && backTo?.maxVisits && (visits[looping.next!] ?? 0) < 2) return looping.key;
  const onward = step.outcomes.find((o) => o.next !== null && visits[o.next] === undefined && !o.terminal);
  return (onward ?? step.outcomes.find((o) => o.next === null) ?? step.outcomes[0]!).key;
}

export interface DriveOptions {
  workflowId: string;
  taskQueue: string;
  /** Extend, pause, resume and signal a calendar change on the first step, so every handler is exercised. */
  exerciseChanges?: boolean;
  /** Withdraw after the first step's changes instead of finishing. */
  withdraw?: boolean;
  /** Continue as new past this many history events (see EnrolmentInput). */
  continueAsNewAfterEvents?: number;
  /** A case already under way: start at this step, opened at this instant (see EnrolmentInput). */
  startAt?: { stepKey: string; openedAt: number };
}

export async function driveEnrolment(
  env: TestWorkflowEnvironment,
  template: ProgrammeTemplate,
  options: DriveOptions,
): Promise<{ handle: WorkflowHandleWithFirstExecutionRunId; state: EnrolmentState }> {
  const handle = await env.client.workflow.start(enrolmentWorkflowType, {
    workflowId: options.workflowId,
    taskQueue: options.taskQueue,
    args: [
      {
        enrolmentId: '00000000-0000-4000-8000-000000000001',
        template,
        ...(options.continueAsNewAfterEvents ? { continueAsNewAfterEvents: options.continueAsNewAfterEvents } : {}),
        ...(options.startAt ? { startAt: options.startAt } : {}),
      },
    ],
  });
  let state: EnrolmentState = await handle.query('status');
  // The first step opens right after the start; the stand-in activities answer at once.
  while (!state.current?.dueAt) state = await handle.query('status');
  let first = true;
  while (state.phase === 'active' && state.current) {
    // Past the step's reminder and overdue notice, as a real case that runs late.
    await env.sleep(4 * day);
    if (first && options.exerciseChanges) {
      await handle.executeUpdate(extendDeadlineUpdate, {
        args: [{ actor: officer, reason: 'uji', addWorkingDays: 2 }],
      });
      await handle.executeUpdate(pauseUpdate, { args: [{ actor: officer, reason: 'uji' }] });
      // A calendar correction while paused: the paused step takes it.
      await handle.signal('calendarChanged');
      await env.sleep(2 * day);
      await handle.executeUpdate(resumeUpdate, { args: [{ actor: officer }] });
      await handle.signal('calendarChanged');
      if (options.withdraw) {
        state = await handle.executeUpdate(withdrawUpdate, { args: [{ actor: officer, reason: 'uji' }] });
        break;
      }
    }
    first = false;
    const step = template.steps.find((s) => s.key === state.current!.stepKey)!;
    state = await handle.executeUpdate(completeStepUpdate, {
      args: [
        {
          actor: officer,
          stepKey: step.key,
          outcome: choose(template, step.key, state.visits),
          documents: step.checklist.map((c) => c.key),
          ...(step.recordsCertificate
            ? { certificate: { number: 'UJI-1', issuedOn: '2027-01-01', scope: 'uji' } }
            : {}),
        },
      ],
    });
  }
  await handle.result();
  return { handle, state };
}
