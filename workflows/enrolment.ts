// One workflow per enrolment interprets the programme template version pinned at enrolment. It is the single
// writer of the enrolment's step state; activities project that state into Postgres and send notices.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
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
  statusQuery,
  withdrawUpdate,
  type CompleteStepRequest,
  type EngineActivities,
  type EnrolmentInput,
  type EnrolmentState,
  type ScheduleChange,
  type ScheduledNotice,
  type StepTiming,
} from './messages.js';

// Local activities: each is a short, idempotent database write, and as a local activity it leaves one marker event
// in the history instead of three, which keeps a ten-month case well inside Temporal's history limits.
const acts = proxyLocalActivities<EngineActivities>({
  startToCloseTimeout: '1 minute',
  // Past this, a failing write is retried by a timer rather than inside one workflow task.
  localRetryThreshold: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '5 minutes', nonRetryableErrorTypes: ['NotFound'] },
});

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

export async function enrolmentWorkflow(input: EnrolmentInput): Promise<EnrolmentState> {
  const { template, enrolmentId } = input;
  const state: EnrolmentState = {
    enrolmentId,
    programmeKey: template.key,
    programmeVersion: template.version,
    phase: 'active',
    current: null,
    history: input.resume?.history ?? [],
    visits: input.resume?.visits ?? {},
  };
  let completion: CompleteStepRequest | null = null;
  let withdrawal: { reason: string; actorUserId: string | null } | null = null;
  // Bumped whenever the current step's timing changes, so the wait below re-reads it.
  let timingRevision = 0;
  let calendarChanged = false;
  // False from the moment a step is entered until its deadline is known, so an update can answer with the next step's due date.
  let stepOpened = false;

  const current = () => {
    if (!state.current) throw wrongState('Tidak ada langkah yang berjalan / No step is open');
    return state.current;
  };
  const applyTiming = (timing: StepTiming) => {
    const step = current();
    step.dueAt = timing.dueAt;
    const now = Date.now();
    // Notices whose instant has already passed are dropped, not sent late in a burst.
    step.pendingNotices = timing.notices.filter((n) => n.at > now).sort((a, b) => a.at - b.at);
    timingRevision++;
    stepOpened = true;
  };
  const reschedule = async (change: ScheduleChange) => {
    const step = current();
    applyTiming(
      await acts.rescheduleStep({
        enrolmentId,
        step: stepOf(template, step.stepKey),
        visit: step.visit,
        at: Date.now(),
        change,
      }),
    );
  };

  setHandler(statusQuery, () => state);

  setHandler(
    completeStepUpdate,
    async (request) => {
      completion = request;
      // Answer with the state the caller will act on next: the following step open with its deadline, or the end.
      await condition(() => completion === null && (stepOpened || state.phase !== 'active'));
      return state;
    },
    {
      validator: (request) => {
        if (state.phase !== 'active')
          throw wrongState(`Pendaftaran berstatus ${state.phase} / Enrolment is ${state.phase}`);
        const step = current();
        if (completion) throw wrongState('Langkah ini sedang diselesaikan / This step is already being completed');
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
      },
    },
  );

  setHandler(
    extendDeadlineUpdate,
    async (request) => {
      const { actor, reason } = request;
      const change: ScheduleChange =
        'addWorkingDays' in request
          ? { kind: 'extend', reason, actorUserId: actor.userId, addWorkingDays: request.addWorkingDays }
          : { kind: 'extend', reason, actorUserId: actor.userId, newDueAt: request.newDueAt };
      await reschedule(change);
      return state;
    },
    {
      validator: (request) => {
        if (!mayManageEnrolment(request.actor.role))
          throw wrongRole('Hanya petugas yang dapat memperpanjang / Only office staff may extend a deadline');
        if (state.phase !== 'active')
          throw wrongState(`Pendaftaran berstatus ${state.phase} / Enrolment is ${state.phase}`);
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
      },
    },
  );

  setHandler(
    pauseUpdate,
    async (request) => {
      const step = current();
      state.phase = 'paused';
      step.pausedAt = Date.now();
      await reschedule({ kind: 'pause', reason: request.reason, actorUserId: request.actor.userId });
      return state;
    },
    {
      validator: (request) => {
        if (!mayManageEnrolment(request.actor.role))
          throw wrongRole('Hanya petugas yang dapat menjeda / Only office staff may pause');
        if (state.phase !== 'active' || !state.current)
          throw wrongState(`Pendaftaran berstatus ${state.phase} / Enrolment is ${state.phase}`);
      },
    },
  );

  setHandler(
    resumeUpdate,
    async (request) => {
      const step = current();
      await reschedule({ kind: 'resume', actorUserId: request.actor.userId });
      step.pausedAt = null;
      state.phase = 'active';
      return state;
    },
    {
      validator: (request) => {
        if (!mayManageEnrolment(request.actor.role))
          throw wrongRole('Hanya petugas yang dapat melanjutkan / Only office staff may resume');
        if (state.phase !== 'paused') throw wrongState('Pendaftaran tidak sedang dijeda / Enrolment is not paused');
      },
    },
  );

  setHandler(
    withdrawUpdate,
    async (request) => {
      withdrawal = { reason: request.reason, actorUserId: request.actor.userId };
      await condition(() => state.phase === 'withdrawn');
      return state;
    },
    {
      validator: (request) => {
        if (!mayManageEnrolment(request.actor.role))
          throw wrongRole('Hanya petugas yang dapat menarik pendaftaran / Only office staff may withdraw');
        if (state.phase !== 'active' && state.phase !== 'paused')
          throw wrongState(`Pendaftaran berstatus ${state.phase} / Enrolment is ${state.phase}`);
        if (withdrawal) throw wrongState('Pendaftaran sedang ditarik / Withdrawal already under way');
      },
    },
  );

  setHandler(calendarChangedSignal, () => {
    calendarChanged = true;
  });

  let stepKey: string | null = input.resume?.stepKey ?? template.firstStep;
  let revisionSeen = -1;
  while (stepKey) {
    const def = stepOf(template, stepKey);
    const visit = (state.visits[stepKey] ?? 0) + 1;
    state.visits[stepKey] = visit;
    const openedAt = Date.now();
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
    stepOpened = false;
    applyTiming(await acts.openStep({ enrolmentId, step: def, visit, openedAt }));

    // Wait for the step to be completed (or the enrolment withdrawn), sending each notice at its instant.
    // Notices of one timing revision are numbered in order, so a retried or replayed send has the same key.
    let noticeIndex = 0;
    for (;;) {
      const step = current();
      if (revisionSeen !== timingRevision) {
        revisionSeen = timingRevision;
        noticeIndex = 0;
      }
      const next: ScheduledNotice | undefined = state.phase === 'active' ? step.pendingNotices[0] : undefined;
      const wake = () =>
        completion !== null || withdrawal !== null || calendarChanged || revisionSeen !== timingRevision;
      const woke = next ? await condition(wake, Math.max(next.at - Date.now(), 1)) : (await condition(wake), true);
      if (withdrawal) break;
      if (completion) break;
      if (calendarChanged) {
        calendarChanged = false;
        if (state.phase === 'active') await reschedule({ kind: 'calendar' });
        continue;
      }
      if (!woke && next && revisionSeen === timingRevision && state.phase === 'active') {
        step.pendingNotices.shift();
        await acts.sendNotice({
          enrolmentId,
          step: def,
          visit,
          kind: next.kind,
          occurrence: `${timingRevision}.${noticeIndex++}`,
          at: next.at,
        });
      }
    }

    if (withdrawal) {
      const { reason, actorUserId } = withdrawal;
      await acts.withdrawEnrolment({ enrolmentId, reason, actorUserId, at: Date.now() });
      state.history.push({ ...current(), closedAt: Date.now(), outcome: 'withdrawn', actorUserId });
      state.current = null;
      state.phase = 'withdrawn';
      await condition(allHandlersFinished);
      return state;
    }

    const request: CompleteStepRequest = completion!;
    const outcome = def.outcomes.find((o) => o.key === request.outcome)!;
    const closedAt = Date.now();
    await acts.closeStep({
      enrolmentId,
      stepKey,
      visit,
      outcome: outcome.key,
      actorUserId: request.actor.userId,
      at: closedAt,
      next: outcome.next,
      ...(request.note ? { note: request.note } : {}),
      ...(request.certificate ? { certificate: request.certificate } : {}),
    });
    state.history.push({ ...current(), closedAt, outcome: outcome.key, actorUserId: request.actor.userId });
    state.current = null;
    stepKey = outcome.next;

    if (!stepKey) {
      const result = outcome.terminal === 'failed' ? 'failed' : 'completed';
      await acts.finishEnrolment({ enrolmentId, result, at: closedAt });
      state.phase = result;
    }
    completion = null;
    stepOpened = false;
    if (!stepKey) break;
    if (workflowInfo().continueAsNewSuggested) {
      // A case with many loops can grow a long history; carry on in a fresh run between steps.
      await condition(allHandlersFinished);
      await continueAsNew<typeof enrolmentWorkflow>({
        ...input,
        resume: { stepKey, visits: state.visits, history: state.history },
      });
    }
  }
  await condition(allHandlersFinished);
  return state;
}
