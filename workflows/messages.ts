// The enrolment workflow's contract: what the API and activities may import without workflow internals.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ProgrammeTemplate, TemplateStep } from '../domain/template.js';
import type { Role } from '../domain/types.js';

export const enrolmentWorkflowType = 'enrolmentWorkflow';

export interface EnrolmentInput {
  enrolmentId: string;
  template: ProgrammeTemplate;
  /** Set when the workflow continues as new: where to carry on and what it already did. */
  resume?: { stepKey: string; visits: Record<string, number>; history: StepRecord[] };
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

export interface EnrolmentState {
  enrolmentId: string;
  programmeKey: string;
  programmeVersion: number;
  phase: EnrolmentPhase;
  current: (StepRecord & { pausedAt: number | null; pendingNotices: ScheduledNotice[] }) | null;
  history: StepRecord[];
  visits: Record<string, number>;
}

export interface Actor {
  /** null for the administrator token from the environment, which belongs to no user. */
  userId: string | null;
  role: Role;
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
/** The office calendar changed: due dates that have not passed are computed again. */
export const calendarChangedSignal = defineSignal('calendarChanged');
export const statusQuery = defineQuery<EnrolmentState>('status');

/** Rejection types: the API maps them to 409 (wrong state) and 403 (wrong role). */
export const rejection = {
  wrongState: 'WrongState',
  wrongRole: 'WrongRole',
  invalid: 'InvalidRequest',
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
  }): Promise<void>;
  finishEnrolment(input: { enrolmentId: string; result: 'completed' | 'failed'; at: number }): Promise<void>;
  withdrawEnrolment(input: {
    enrolmentId: string;
    reason: string;
    actorUserId: string | null;
    at: number;
  }): Promise<void>;
}
