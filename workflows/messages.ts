// The enrolment workflow's contract: what the API and activities may import without workflow internals.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ProgrammeTemplate, TemplateStep } from '../domain/template.js';
import type { Role } from '../domain/types.js';

export const enrolmentWorkflowType = 'enrolmentWorkflow';

export interface EnrolmentInput {
  enrolmentId: string;
  template: ProgrammeTemplate;
  /** Set when the workflow continues as new: everything the previous run knew, so the new one carries on mid-step. */
  carried?: CarriedState;
  /** Continue as new once the history has this many events, instead of when Temporal suggests it (tests reach it so). */
  continueAsNewAfterEvents?: number;
  /**
   * A case already under way when its workflow starts (the demo's overdue case): it begins at this step, opened at this
   * earlier instant, instead of at the template's first step now. Its deadline counts from that instant; reminders
   * whose time has passed are dropped, while an overdue notice or escalation already due goes out at once.
   */
  startAt?: { stepKey: string; openedAt: number };
}

/** What one run hands the next when it continues as new. */
export interface CarriedState {
  state: EnrolmentState;
  /** Numbering of the open step's notices, so their keys stay unique across runs. */
  timingRevision: number;
  noticeIndex: number;
  calendarChanged: boolean;
  /** IDs of the latest applied actions: a retried request that reaches the new run is answered, not applied again. */
  appliedActions: string[];
}

/** One timed notice of a step: reminders, the overdue notice and the escalation, at instants from the office calendar. */
export interface ScheduledNotice {
  kind: 'reminder' | 'overdue' | 'escalation';
  at: number;
}

/** What an activity answers when a step opens, resumes, is extended or the calendar changes. */
export interface StepTiming {
  openedAt: number;
  dueAt: number | null;
  notices: ScheduledNotice[];
}

export interface StepRecord {
  stepKey: string;
  visit: number;
  openedAt: number;
  dueAt: number | null;
  closedAt: number | null;
  outcome: string | null;
  actorUserId: string | null;
}

export type EnrolmentPhase = 'active' | 'paused' | 'completed' | 'failed' | 'withdrawn';

/** A write that kept failing after its retries: the case waits for an officer to retry it (or to withdraw it). */
export interface StuckState {
  operation: string;
  reason: string;
  since: number;
}

export interface EnrolmentState {
  enrolmentId: string;
  programmeKey: string;
  programmeVersion: number;
  phase: EnrolmentPhase;
  current: (StepRecord & { pausedAt: number | null; pendingNotices: ScheduledNotice[] }) | null;
  history: StepRecord[];
  visits: Record<string, number>;
  /** The action being applied, if any: one at a time per enrolment, others are refused until it is done. */
  inFlight: ActionKind | null;
  stuck: StuckState | null;
}

export type ActionKind = 'complete' | 'extend' | 'pause' | 'resume' | 'withdraw' | 'retry';

export interface Actor {
  /** null for the administrator token from the environment, which belongs to no user. */
  userId: string | null;
  role: Role;
  /** The API request that asked for the action, for the audit row written with the action's own change. */
  requestId?: string;
}

export interface CertificateInput {
  number: string;
  issuedOn: string;
  scope: string;
}

export interface CompleteStepRequest {
  actor: Actor;
  stepKey: string;
  outcome: string;
  /** Keys of the checklist documents handed in; every required one must be there. */
  documents: string[];
  note?: string;
  certificate?: CertificateInput;
}

export type ExtendRequest = { actor: Actor; reason: string } & ({ addWorkingDays: number } | { newDueAt: number });

export interface PauseRequest {
  actor: Actor;
  reason: string;
}

export interface WithdrawRequest {
  actor: Actor;
  reason: string;
}

export const completeStepUpdate = defineUpdate<EnrolmentState, [CompleteStepRequest]>('completeStep');
export const extendDeadlineUpdate = defineUpdate<EnrolmentState, [ExtendRequest]>('extendDeadline');
export const pauseUpdate = defineUpdate<EnrolmentState, [PauseRequest]>('pause');
export const resumeUpdate = defineUpdate<EnrolmentState, [{ actor: Actor }]>('resume');
export const withdrawUpdate = defineUpdate<EnrolmentState, [WithdrawRequest]>('withdraw');
/** A stuck case's failed write is tried again. */
export const retryUpdate = defineUpdate<EnrolmentState, [{ actor: Actor }]>('retry');
/** The office calendar changed: due dates that have not passed are computed again. */
export const calendarChangedSignal = defineSignal('calendarChanged');
export const statusQuery = defineQuery<EnrolmentState>('status');

/** Rejection types: the API maps them to 409 (wrong state) and 403 (wrong role). */
export const rejection = {
  wrongState: 'WrongState',
  wrongRole: 'WrongRole',
  invalid: 'InvalidRequest',
  /** The action was accepted, but a write it needs kept failing: the case is stuck until it is retried. */
  stuck: 'Stuck',
} as const;

export type ScheduleChange =
  | { kind: 'extend'; reason: string; actorUserId: string | null; addWorkingDays: number }
  | { kind: 'extend'; reason: string; actorUserId: string | null; newDueAt: number }
  | { kind: 'pause'; reason: string; actorUserId: string | null }
  | { kind: 'resume'; actorUserId: string | null }
  | { kind: 'calendar' };

/** The activities the workflow calls, by their types only (the sandbox imports no activity code). */
export interface EngineActivities {
  openStep(input: { enrolmentId: string; step: TemplateStep; visit: number; openedAt: number }): Promise<StepTiming>;
  /** occurrence is unique within a step visit, so (enrolment, step, visit, kind, occurrence) names one notification. */
  sendNotice(input: {
    enrolmentId: string;
    step: TemplateStep;
    visit: number;
    kind: ScheduledNotice['kind'];
    occurrence: string;
    at: number;
  }): Promise<void>;
  /** Instants come from the workflow's clock (`at`), never the activity's, so time skipping and replays agree. */
  rescheduleStep(input: {
    enrolmentId: string;
    step: TemplateStep;
    visit: number;
    at: number;
    change: ScheduleChange;
    audit?: ActionAudit;
  }): Promise<StepTiming>;
  closeStep(input: {
    enrolmentId: string;
    stepKey: string;
    visit: number;
    outcome: string;
    actorUserId: string | null;
    at: number;
    note?: string;
    certificate?: CertificateInput;
    next: string | null;
    audit?: ActionAudit;
    /** The closed step's definition, for the notice naming its outcome (absent in calls recorded before it). */
    step?: TemplateStep;
  }): Promise<void>;
  finishEnrolment(input: { enrolmentId: string; result: 'completed' | 'failed'; at: number }): Promise<void>;
  withdrawEnrolment(input: {
    enrolmentId: string;
    reason: string;
    actorUserId: string | null;
    at: number;
    audit?: ActionAudit;
  }): Promise<void>;
  /** Projects a stuck case (and tells the office and its managers), or clears it once the retried write went through. */
  markStuck(input: { enrolmentId: string; stuck: StuckState | null; at: number }): Promise<void>;
}

/**
 * The audit row of an action, written by the activity in the transaction of the action's own change: a crash can
 * leave neither the change without its row nor the row without its change. `actionId` (the Update ID) keeps it single.
 */
export interface ActionAudit {
  actionId: string;
  action: string;
  actor: Actor;
  detail: Record<string, unknown>;
}
