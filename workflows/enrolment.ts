// One workflow per enrolment interprets the programme template version pinned at enrolment. It is the single
// writer of the enrolment's step state; activities project that state into Postgres and send notices.
//
// Actions (complete, extend, pause, resume, withdraw, retry) arrive as Updates. A validator checks each against the
// state and refuses it while another action is being applied; the handler only hands the action to the main loop
// and waits for its outcome. The main loop alone applies actions, opens and closes steps and sends notices, so two
// actions never interleave on one case, and no handler waits on anything but the loop: the loop can always reach a
// point with no action in flight, where it may continue as new carrying its whole state.
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  TemporalFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  patched,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { mayCompleteStep, mayManageEnrolment } from '../domain/step-rules.js';
import type { ProgrammeTemplate, TemplateStep } from '../domain/template.js';
import {
  calendarChangedSignal,
  completeStepUpdate,
  extendDeadlineUpdate,
  pauseUpdate,
  rejection,
  resumeUpdate,
  retryUpdate,
  statusQuery,
  withdrawUpdate,
  type ActionAudit,
  type Actor,
  type CompleteStepRequest,
  type EngineActivities,
  type EnrolmentInput,
  type EnrolmentState,
  type ExtendRequest,
  type PauseRequest,
  type ScheduleChange,
  type StepTiming,
  type WithdrawRequest,
} from './messages.js';

// Local activities: each is a short, idempotent database write, and as a local activity it leaves one marker event
// in the history instead of three, which keeps a ten-month case well inside Temporal's history limits.
// Retries are bounded: a write that still fails after about five minutes leaves the case stuck, visibly, for an
// officer to retry, instead of retrying unseen for ever. Backoffs over a second wait on a timer, not in the task.
const acts = proxyLocalActivities<EngineActivities>({
  startToCloseTimeout: '1 minute',
  localRetryThreshold: '1 second',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: ['NotFound'],
  },
});
// Marking a case stuck is how the office learns of a failure, so that one write keeps trying.
const stuckActs = proxyLocalActivities<Pick<EngineActivities, 'markStuck'>>({
  startToCloseTimeout: '1 minute',
  localRetryThreshold: '1 second',
  retry: { initialInterval: '1 second', maximumInterval: '5 minutes' },
});

/**
 * Behaviour added after histories were recorded: notices that fell due while the loop was busy go out late instead of
 * being dropped, and a paused step takes calendar corrections. Runs recorded before keep the old behaviour on replay.
 */
const engineV2 = () => patched('late-notices-and-paused-calendar');

/** How many applied action IDs a run remembers (and hands on) to answer a retried request without applying it twice. */
const rememberedActions = 100;

const wrongState = (message: string) =>
  ApplicationFailure.create({ type: rejection.wrongState, message, nonRetryable: true });
const wrongRole = (message: string) =>
  ApplicationFailure.create({ type: rejection.wrongRole, message, nonRetryable: true });
const invalid = (message: string) =>
  ApplicationFailure.create({ type: rejection.invalid, message, nonRetryable: true });

function stepOf(template: ProgrammeTemplate, key: string): TemplateStep {
  const step = template.steps.find((s) => s.key === key);
  if (!step) throw ApplicationFailure.nonRetryable(`template ${template.key} v${template.version} has no step ${key}`);
  return step;
}

type Action =
  | { kind: 'complete'; request: CompleteStepRequest }
  | { kind: 'extend'; request: ExtendRequest }
  | { kind: 'pause'; request: PauseRequest }
  | { kind: 'resume'; request: { actor: Actor } }
  | { kind: 'withdraw'; request: WithdrawRequest };

/** Thrown out of a stuck write when an officer withdraws the case instead of retrying it. */
class Abandoned extends Error {}

const auditNames: Record<Action['kind'], string> = {
  complete: 'enrolment.step.complete',
  extend: 'enrolment.extend',
  pause: 'enrolment.pause',
  resume: 'enrolment.resume',
  withdraw: 'enrolment.withdraw',
};

export async function enrolmentWorkflow(input: EnrolmentInput): Promise<EnrolmentState> {
  const { template, enrolmentId, carried } = input;
  const state: EnrolmentState = carried?.state ?? {
    enrolmentId,
    programmeKey: template.key,
    programmeVersion: template.version,
    phase: 'active',
    current: null,
    history: [],
    visits: {},
    inFlight: null,
    stuck: null,
  };
  // Notices of one timing revision are numbered in order, so a retried or replayed send has the same key.
  let timingRevision = carried?.timingRevision ?? 0;
  let noticeIndex = carried?.noticeIndex ?? 0;
  let calendarChanged = carried?.calendarChanged ?? false;
  const applied: string[] = [...(carried?.appliedActions ?? [])];

  let pending: { id: string; action: Action } | null = null;
  // A function, not an inline test, because the slot changes under awaits where TypeScript's narrowing cannot see it.
  const slotHolds = (id: string) => pending?.id === id;
  let retryRequested = false;
  // A withdrawal of a stuck case: the failed write is dropped and the withdrawal, now pending, is applied instead.
  let abandonRequested = false;

  const current = () => {
    if (!state.current) throw wrongState('Tidak ada langkah yang berjalan / No step is open');
    return state.current;
  };
  const remember = (id: string) => {
    applied.push(id);
    if (applied.length > rememberedActions) applied.shift();
  };
  const auditOf = (id: string, action: Action): ActionAudit => ({
    actionId: id,
    action: auditNames[action.kind],
    actor: action.request.actor,
    detail: { ...action.request, actor: undefined },
  });

  /**
   * Runs a write. One that fails after its retries leaves the case stuck: the office and its managers are told,
   * and the write waits for an officer's retry (or the case's withdrawal) instead of failing the workflow.
   */
  async function effect<T>(operation: string, run: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const result = await run();
        if (state.stuck) {
          state.stuck = null;
          await stuckActs.markStuck({ enrolmentId, stuck: null, at: Date.now() });
        }
        return result;
      } catch (err) {
        // A local activity's last failure arrives as its own failure (ApplicationFailure, TimeoutFailure), not wrapped.
        if (!(err instanceof TemporalFailure) || err instanceof CancelledFailure) throw err;
        const reason = (err instanceof ActivityFailure && err.cause ? err.cause.message : err.message).slice(0, 1000);
        state.stuck = { operation, reason, since: Date.now() };
        await stuckActs.markStuck({ enrolmentId, stuck: state.stuck, at: Date.now() });
        await condition(() => retryRequested || abandonRequested);
        if (abandonRequested) throw new Abandoned();
        retryRequested = false;
      }
    }
  }

  /** Notices whose instant passed while the loop was busy are still due: they go out late rather than never. */
  let noticesHandledUntil = 0;
  const applyTiming = (timing: StepTiming, since: number) => {
    const step = current();
    step.dueAt = timing.dueAt;
    step.pendingNotices = timing.notices.filter((n) => n.at > since).sort((a, b) => a.at - b.at);
    timingRevision++;
    noticeIndex = 0;
  };
  const reschedule = async (change: ScheduleChange, audit?: ActionAudit) => {
    const step = current();
    const since = noticesHandledUntil;
    const timing = await effect(`reschedule:${change.kind}`, () =>
      acts.rescheduleStep({
        enrolmentId,
        step: stepOf(template, step.stepKey),
        visit: step.visit,
        at: Date.now(),
        change,
        ...(audit ? { audit } : {}),
      }),
    );
    // A resumed step's notices start afresh; otherwise those that fell due since the last look still go out.
    applyTiming(timing, change.kind === 'resume' || !engineV2() ? Date.now() : since);
  };
  // The wake-up of a waiting case is most of what a worker does, and the SDK records a source-mapped stack trace for
  // every promise a workflow makes (bench/README.md, open-enrolments): these return the activity's promise rather than
  // wrap it in one more, and the loop awaits nothing when no notice is due.
  const sendNotice = () => {
    const step = current();
    const notice = step.pendingNotices.shift()!;
    const occurrence = `${timingRevision}.${noticeIndex++}`;
    return effect('sendNotice', () =>
      acts.sendNotice({
        enrolmentId,
        step: stepOf(template, step.stepKey),
        visit: step.visit,
        kind: notice.kind,
        occurrence,
        at: notice.at,
      }),
    );
  };
  const noticeDue = () =>
    state.phase === 'active' && (state.current?.pendingNotices[0]?.at ?? Infinity) <= noticesHandledUntil;
  const sendDueNotices = async () => {
    while (noticeDue()) await sendNotice();
  };

  async function openStep(stepKey: string, openedAt = Date.now()) {
    const def = stepOf(template, stepKey);
    const visit = (state.visits[stepKey] ?? 0) + 1;
    state.visits[stepKey] = visit;
    state.current = {
      stepKey,
      visit,
      openedAt,
      dueAt: null,
      closedAt: null,
      outcome: null,
      actorUserId: null,
      pausedAt: null,
      pendingNotices: [],
    };
    applyTiming(await effect('openStep', () => acts.openStep({ enrolmentId, step: def, visit, openedAt })), openedAt);
  }

  /** The first step of a case already under way (input.startAt): opened when it really was, never in the future. */
  async function openEarlier(startAt: NonNullable<EnrolmentInput['startAt']>) {
    const now = Date.now();
    await openStep(startAt.stepKey, Math.min(startAt.openedAt, now));
    // A reminder of a time already past reminds nobody of anything; an overdue notice or an escalation states a fact.
    const step = current();
    step.pendingNotices = step.pendingNotices.filter((n) => n.kind !== 'reminder' || n.at > now);
  }

  async function complete(request: CompleteStepRequest, audit: ActionAudit) {
    const step = current();
    const def = stepOf(template, step.stepKey);
    const outcome = def.outcomes.find((o) => o.key === request.outcome)!;
    const closedAt = Date.now();
    await effect('closeStep', () =>
      acts.closeStep({
        enrolmentId,
        stepKey: step.stepKey,
        visit: step.visit,
        outcome: outcome.key,
        actorUserId: request.actor.userId,
        at: closedAt,
        next: outcome.next,
        audit,
        step: def,
        ...(request.note ? { note: request.note } : {}),
        ...(request.certificate ? { certificate: request.certificate } : {}),
      }),
    );
    state.history.push({ ...step, closedAt, outcome: outcome.key, actorUserId: request.actor.userId });
    state.current = null;
    if (outcome.next) {
      await openStep(outcome.next);
      return;
    }
    const result = outcome.terminal === 'failed' ? 'failed' : 'completed';
    await effect('finishEnrolment', () => acts.finishEnrolment({ enrolmentId, result, at: closedAt }));
    state.phase = result;
  }

  async function withdraw(request: WithdrawRequest, audit: ActionAudit) {
    const at = Date.now();
    await effect('withdrawEnrolment', () =>
      acts.withdrawEnrolment({ enrolmentId, reason: request.reason, actorUserId: request.actor.userId, at, audit }),
    );
    if (state.current) {
      state.history.push({ ...state.current, closedAt: at, outcome: 'withdrawn', actorUserId: request.actor.userId });
    }
    state.current = null;
    state.phase = 'withdrawn';
  }

  async function apply({ id, action }: { id: string; action: Action }) {
    const audit = auditOf(id, action);
    switch (action.kind) {
      case 'complete':
        return complete(action.request, audit);
      case 'extend': {
        const { actor, reason } = action.request;
        return reschedule(
          'addWorkingDays' in action.request
            ? { kind: 'extend', reason, actorUserId: actor.userId, addWorkingDays: action.request.addWorkingDays }
            : { kind: 'extend', reason, actorUserId: actor.userId, newDueAt: action.request.newDueAt },
          audit,
        );
      }
      case 'pause': {
        const pausedAt = Date.now();
        await reschedule(
          { kind: 'pause', reason: action.request.reason, actorUserId: action.request.actor.userId },
          audit,
        );
        // Set only once the projection says paused too, so a failed pause leaves both sides active.
        state.phase = 'paused';
        current().pausedAt = pausedAt;
        return;
      }
      case 'resume':
        await reschedule({ kind: 'resume', actorUserId: action.request.actor.userId }, audit);
        current().pausedAt = null;
        state.phase = 'active';
        return;
      case 'withdraw':
        return withdraw(action.request, audit);
    }
  }

  // ---- Updates: validate against the state, hand the action to the loop, answer with the state it leaves.

  const alreadyApplied = () => applied.includes(currentUpdateInfo()!.id);
  const refuseWhileBusy = () => {
    if (state.stuck) {
      throw wrongState(
        `Kasus macet (${state.stuck.operation}): coba ulang atau tarik dulu / The case is stuck (${state.stuck.operation}): retry or withdraw it first`,
      );
    }
    if (state.inFlight) {
      throw wrongState(
        `Tindakan lain (${state.inFlight}) sedang diproses; coba lagi sebentar / Another action (${state.inFlight}) is being applied; try again shortly`,
      );
    }
  };
  const mustBe = (...phases: EnrolmentState['phase'][]) => {
    if (!phases.includes(state.phase))
      throw wrongState(`Pendaftaran berstatus ${state.phase} / Enrolment is ${state.phase}`);
  };
  const staffOnly = (role: Actor['role'], id: string, en: string) => {
    if (!mayManageEnrolment(role)) throw wrongRole(`Hanya petugas yang dapat ${id} / Only office staff may ${en}`);
  };

  /**
   * Hands an action to the loop and answers once it is applied. If a write it needs gets stuck, the caller is told so
   * at once; the action then finishes when an officer retries the write.
   */
  async function submit(action: Action, abandoning = false): Promise<EnrolmentState> {
    const id = currentUpdateInfo()!.id;
    if (alreadyApplied()) return state;
    if (!engineV2() && (action.kind === 'extend' || action.kind === 'pause' || action.kind === 'resume')) {
      // Runs recorded before the loop applied actions ran these in the handler, the loop waking on the new timing.
      await apply({ id, action });
      return state;
    }
    const stuckBefore = state.stuck;
    if (abandoning) abandonRequested = true;
    pending = { id, action };
    state.inFlight = action.kind;
    await condition(() => !slotHolds(id) || (state.stuck !== null && state.stuck !== stuckBefore));
    if (slotHolds(id)) {
      throw ApplicationFailure.create({
        type: rejection.stuck,
        nonRetryable: true,
        message:
          `Tindakan diterima, tetapi kasus macet (${state.stuck!.reason}); tindakan selesai setelah dicoba ulang / ` +
          `The action was accepted but the case is stuck (${state.stuck!.reason}); it finishes once retried`,
      });
    }
    return state;
  }
  const validated =
    <T>(check: (request: T) => void) =>
    (request: T) => {
      if (alreadyApplied()) return;
      check(request);
    };

  setHandler(statusQuery, () => state);

  setHandler(completeStepUpdate, (request) => submit({ kind: 'complete', request }), {
    validator: validated((request: CompleteStepRequest) => {
      mustBe('active');
      refuseWhileBusy();
      const step = current();
      if (request.stepKey !== step.stepKey) {
        throw wrongState(
          `Langkah yang berjalan adalah ${step.stepKey}, bukan ${request.stepKey} / The open step is ${step.stepKey}, not ${request.stepKey}`,
        );
      }
      const def = stepOf(template, step.stepKey);
      if (!mayCompleteStep(request.actor.role, def.actor)) {
        throw wrongRole(
          `Peran ${request.actor.role} tidak boleh menyelesaikan langkah ${def.key} / Role ${request.actor.role} may not complete step ${def.key}`,
        );
      }
      const outcome = def.outcomes.find((o) => o.key === request.outcome);
      if (!outcome) {
        throw invalid(
          `Hasil ${request.outcome} tidak dikenal; pilih ${def.outcomes.map((o) => o.key).join(', ')} / ` +
            `Unknown outcome ${request.outcome}; choose ${def.outcomes.map((o) => o.key).join(', ')}`,
        );
      }
      const missing = def.checklist.filter((c) => c.required && !request.documents.includes(c.key)).map((c) => c.key);
      if (missing.length > 0) {
        throw invalid(
          `Dokumen wajib belum lengkap: ${missing.join(', ')} / Required documents missing: ${missing.join(', ')}`,
        );
      }
      if (outcome.next) {
        const nextDef = stepOf(template, outcome.next);
        if (nextDef.maxVisits !== undefined && (state.visits[outcome.next] ?? 0) >= nextDef.maxVisits) {
          throw wrongState(
            `Batas pengulangan langkah ${nextDef.key} (${nextDef.maxVisits}x) tercapai / Step ${nextDef.key} may be visited at most ${nextDef.maxVisits} times`,
          );
        }
      }
      if (def.recordsCertificate && outcome.terminal === 'completed' && !request.certificate) {
        throw invalid(
          'Nomor, tanggal dan ruang lingkup sertifikat wajib diisi / Certificate number, date and scope are required',
        );
      }
    }),
  });

  setHandler(extendDeadlineUpdate, (request) => submit({ kind: 'extend', request }), {
    validator: validated((request: ExtendRequest) => {
      staffOnly(request.actor.role, 'memperpanjang', 'extend a deadline');
      mustBe('active');
      refuseWhileBusy();
      const step = current();
      if (step.dueAt === null)
        throw wrongState(`Langkah ${step.stepKey} tidak punya tenggat / Step ${step.stepKey} has no deadline`);
      // A statutory limit moves only where the law allows it; the office's own service standards it may always move.
      const def = stepOf(template, step.stepKey);
      if (def.legalBasis && !def.extendable) {
        throw wrongState(
          `Batas waktu ${step.stepKey} ditetapkan ${def.legalBasis} dan tidak dapat diperpanjang / The limit of ${step.stepKey} is set by ${def.legalBasis} and cannot be extended`,
        );
      }
      if ('newDueAt' in request && request.newDueAt <= step.dueAt) {
        throw invalid('Tenggat baru harus setelah tenggat sekarang / The new deadline must be after the current one');
      }
    }),
  });

  setHandler(pauseUpdate, (request) => submit({ kind: 'pause', request }), {
    validator: validated((request: PauseRequest) => {
      staffOnly(request.actor.role, 'menjeda', 'pause');
      mustBe('active');
      refuseWhileBusy();
      current();
    }),
  });

  setHandler(resumeUpdate, (request) => submit({ kind: 'resume', request }), {
    validator: validated((request: { actor: Actor }) => {
      staffOnly(request.actor.role, 'melanjutkan', 'resume');
      if (state.phase !== 'paused') throw wrongState('Pendaftaran tidak sedang dijeda / Enrolment is not paused');
      refuseWhileBusy();
    }),
  });

  setHandler(withdrawUpdate, (request) => submit({ kind: 'withdraw', request }, state.stuck !== null), {
    validator: validated((request: WithdrawRequest) => {
      staffOnly(request.actor.role, 'menarik pendaftaran', 'withdraw');
      mustBe('active', 'paused');
      // A stuck case may be withdrawn: that is how an office lets go of a case that cannot go on.
      if (abandonRequested) throw wrongState('Pendaftaran sedang ditarik / Withdrawal already under way');
      if (!state.stuck) refuseWhileBusy();
    }),
  });

  setHandler(
    retryUpdate,
    async () => {
      retryRequested = true;
      // Answers once the loop has taken the retry; the case stays stuck until the write goes through.
      await condition(() => !retryRequested);
      return state;
    },
    {
      validator: validated((request: { actor: Actor }) => {
        staffOnly(request.actor.role, 'mencoba ulang', 'retry');
        if (!state.stuck) throw wrongState('Kasus tidak macet / The case is not stuck');
        if (retryRequested || abandonRequested)
          throw wrongState('Percobaan ulang sedang berjalan / A retry is already under way');
      }),
    },
  );

  setHandler(calendarChangedSignal, () => {
    calendarChanged = true;
  });

  const continueAsNewDue = () =>
    input.continueAsNewAfterEvents !== undefined
      ? workflowInfo().historyLength >= input.continueAsNewAfterEvents
      : workflowInfo().continueAsNewSuggested;

  while (state.phase === 'active' || state.phase === 'paused') {
    try {
      if (!state.current) {
        if (input.startAt) await openEarlier(input.startAt);
        else await openStep(template.firstStep);
        continue;
      }
      if (engineV2()) {
        noticesHandledUntil = Date.now();
        if (noticeDue()) await sendDueNotices();
      }
      if (!pending && continueAsNewDue()) {
        // A quiet point: no action in flight. Answered handlers return first; an action arriving meanwhile comes first.
        await condition(() => allHandlersFinished() || pending !== null);
        if (!pending) {
          await continueAsNew<typeof enrolmentWorkflow>({
            ...input,
            carried: { state, timingRevision, noticeIndex, calendarChanged, appliedActions: applied },
          });
        }
      }
      const next = state.phase === 'active' ? state.current.pendingNotices[0] : undefined;
      const revisionSeen = timingRevision;
      const wake = () => pending !== null || calendarChanged || timingRevision !== revisionSeen;
      const woke = next ? await condition(wake, Math.max(next.at - Date.now(), 1)) : (await condition(wake), true);
      if (pending) {
        const taken: { id: string; action: Action } = pending;
        await apply(taken);
        remember(taken.id);
        // An abandoned write may have put a withdrawal in the slot meanwhile; only this action's own is cleared.
        if (slotHolds(taken.id)) {
          pending = null;
          state.inFlight = null;
        }
        continue;
      }
      if (calendarChanged) {
        calendarChanged = false;
        // A paused step takes the correction too: its frozen deadline is what the resume counts from.
        if (state.phase === 'active' || engineV2()) await reschedule({ kind: 'calendar' });
        continue;
      }
      if (timingRevision !== revisionSeen) continue;
      if (!woke && next && state.phase === 'active') await sendNotice();
    } catch (err) {
      if (!(err instanceof Abandoned)) throw err;
      // The stuck write is dropped; the withdrawal waiting in the slot is applied on the next turn.
      abandonRequested = false;
      retryRequested = false;
      state.stuck = null;
    }
  }
  await condition(allHandlersFinished);
  return state;
}
