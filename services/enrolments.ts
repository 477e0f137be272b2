// Reading enrolments and acting on them: one home for the JSON routes and the pages alike. Reads come from the database
// projection; the live workflow state only for one case when asked. Actions are Workflow Updates, validated by the
// workflow itself, with the Update ID as their identity so a retried request is applied once.
import type { Client } from '@temporalio/client';
import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, max, or, sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { conflict, DomainError, invalid, notFound } from '../domain/errors.js';
import { recordAudit, type AuditContext } from './audit.js';
import { assertBusinessScope, assertOfficeScope, type Principal } from './principal.js';
import type { Db } from '../db/client.js';
import {
  auditLog,
  businesses,
  certificates,
  cohorts,
  enrolments,
  offices,
  outbox,
  programmes,
  programmeVersions,
  stepInstances,
} from '../db/schema.js';
import type { EnrolmentStatus } from '../domain/types.js';
import {
  completeStepUpdate,
  extendDeadlineUpdate,
  pauseUpdate,
  resumeUpdate,
  retryUpdate,
  statusQuery,
  withdrawUpdate,
  type Actor,
  type CertificateInput,
  type EnrolmentState,
} from '../workflows/messages.js';
import { checklistState } from './documents/documents.js';
import { runUpdate } from './enrolment-actions.js';
import { recordNotice } from './notifications/record.js';
import { withdrawWaitlisted } from './enrolment-intake.js';
import { startEnrolments, enrolmentWorkflowId } from './workflows.js';

export interface EnrolmentDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

export interface EnrolmentFilter {
  status?: EnrolmentStatus | undefined;
  programmeKey?: string | undefined;
  year?: number | undefined;
  cohortId?: string | undefined;
  businessId?: string | undefined;
  overdue?: boolean | undefined;
  stuck?: boolean | undefined;
  /** The work queue: the caller's own cases ('me'), nobody's ('none'), or one officer's (a user id). */
  assignee?: 'me' | 'none' | string | undefined;
  limit: number;
  cursor?: string | undefined;
}

type EnrolmentRow = Awaited<ReturnType<typeof selectEnrolments>>[number];

function selectEnrolments(db: Db, where: SQL | undefined, limit: number) {
  const currentDue = sql<Date | null>`(select s.due_at from ${stepInstances} s where s.enrolment_id = ${enrolments.id}
    and s.status in ('open', 'paused') order by s.opened_at desc limit 1)`;
  return db
    .select({
      enrolment: enrolments,
      businessName: businesses.name,
      programmeNameId: programmes.nameId,
      programmeNameEn: programmes.nameEn,
      currentDueAt: currentDue,
    })
    .from(enrolments)
    .innerJoin(businesses, eq(businesses.id, enrolments.businessId))
    .innerJoin(programmes, eq(programmes.key, enrolments.programmeKey))
    .where(where)
    .orderBy(desc(enrolments.createdAt), desc(enrolments.id))
    .limit(limit);
}

const iso = (d: Date | string | number | null) => (d === null ? null : new Date(d).toISOString());

function present(row: EnrolmentRow) {
  const e = row.enrolment;
  return {
    id: e.id,
    workflowId: e.workflowId,
    businessId: e.businessId,
    businessName: row.businessName,
    officeId: e.officeId,
    programmeKey: e.programmeKey,
    programmeName: { id: row.programmeNameId, en: row.programmeNameEn },
    programmeVersion: e.programmeVersion,
    year: e.year,
    round: e.round,
    cohortId: e.cohortId,
    assigneeUserId: e.assigneeUserId,
    status: e.status,
    currentStep: e.currentStep,
    currentDueAt: iso(row.currentDueAt),
    stuck: e.stuckAt ? { since: e.stuckAt.toISOString(), reason: e.stuckReason ?? '' } : null,
    createdAt: e.createdAt.toISOString(),
  };
}

export type EnrolmentSummary = ReturnType<typeof present>;

/** The workflow's live state with instants in ISO 8601, like every other instant the API gives. */
function presentLive(state: EnrolmentState) {
  const step = (s: EnrolmentState['history'][number]) => ({
    ...s,
    openedAt: iso(s.openedAt)!,
    dueAt: iso(s.dueAt),
    closedAt: iso(s.closedAt),
  });
  return {
    ...state,
    current: state.current && {
      ...step(state.current),
      pausedAt: iso(state.current.pausedAt),
      pendingNotices: state.current.pendingNotices.map((n) => ({ kind: n.kind, at: iso(n.at)! })),
    },
    history: state.history.map(step),
    stuck: state.stuck && { ...state.stuck, since: iso(state.stuck.since)! },
  };
}

export type LiveState = ReturnType<typeof presentLive>;

/** What the principal may see: its office's enrolments, or a business's own. */
function scopeFilter(principal: Principal): SQL | undefined {
  if (principal.role === 'admin') return undefined;
  if (principal.role === 'business')
    return eq(enrolments.businessId, principal.businessId ?? '00000000-0000-0000-0000-000000000000');
  return eq(enrolments.officeId, principal.officeId ?? '00000000-0000-0000-0000-000000000000');
}

const encodeCursor = (e: { createdAt: Date; id: string }) =>
  Buffer.from(`${e.createdAt.toISOString()}|${e.id}`).toString('base64url');
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at ?? '');
  if (Number.isNaN(createdAt.getTime()) || !id || !z.uuid().safeParse(id).success) {
    throw invalid('Kursor tidak valid / Invalid cursor', [{ path: 'querystring.cursor', message: 'invalid cursor' }]);
  }
  return { createdAt, id };
}

/** Enrolments visible to the principal, newest first, a page at a time. */
export async function listEnrolments(
  db: Db,
  principal: Principal,
  q: EnrolmentFilter,
): Promise<{ items: EnrolmentSummary[]; nextCursor: string | null }> {
  const conditions: (SQL | undefined)[] = [scopeFilter(principal)];
  if (q.status) conditions.push(eq(enrolments.status, q.status));
  if (q.programmeKey) conditions.push(eq(enrolments.programmeKey, q.programmeKey));
  if (q.year) conditions.push(eq(enrolments.year, q.year));
  if (q.cohortId) conditions.push(eq(enrolments.cohortId, q.cohortId));
  if (q.businessId) conditions.push(eq(enrolments.businessId, q.businessId));
  if (q.assignee === 'none') conditions.push(isNull(enrolments.assigneeUserId));
  else if (q.assignee === 'me') {
    conditions.push(eq(enrolments.assigneeUserId, principal.userId ?? '00000000-0000-0000-0000-000000000000'));
  } else if (q.assignee) conditions.push(eq(enrolments.assigneeUserId, q.assignee));
  if (q.stuck !== undefined) conditions.push(q.stuck ? isNotNull(enrolments.stuckAt) : isNull(enrolments.stuckAt));
  if (q.overdue) {
    conditions.push(sql`exists (select 1 from ${stepInstances} s where s.enrolment_id = ${enrolments.id}
      and s.status = 'open' and s.due_at < now())`);
  }
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    conditions.push(
      or(lt(enrolments.createdAt, c.createdAt), and(eq(enrolments.createdAt, c.createdAt), lt(enrolments.id, c.id))),
    );
  }
  const rows = await selectEnrolments(db, and(...conditions), q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map(present),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.enrolment) : null,
  };
}

/** An enrolment the principal may see, else 404 (another office's or business's case does not exist for it). */
export async function loadVisible(db: Db, principal: Principal, id: string): Promise<EnrolmentRow> {
  const [row] = await selectEnrolments(db, eq(enrolments.id, id), 1);
  if (!row) throw notFound('Pendaftaran / Enrolment');
  assertBusinessScope(
    principal,
    { id: row.enrolment.businessId, officeId: row.enrolment.officeId },
    'Pendaftaran / Enrolment',
  );
  return row;
}

/**
 * One enrolment with every step from the projection, and the live workflow state when given. `loaded` is the row a
 * read just selected, which saves selecting it again; after an action the row is read afresh.
 */
async function detail(db: Db, id: string, live: EnrolmentState | null, loaded?: EnrolmentRow) {
  const [row] = loaded ? [loaded] : await selectEnrolments(db, eq(enrolments.id, id), 1);
  const steps = await db
    .select()
    .from(stepInstances)
    .where(eq(stepInstances.enrolmentId, id))
    .orderBy(asc(stepInstances.openedAt), asc(stepInstances.visit));
  const now = Date.now();
  return {
    ...present(row!),
    steps: steps.map((s) => ({
      stepKey: s.stepKey,
      visit: s.visit,
      status: s.status,
      openedAt: s.openedAt.toISOString(),
      dueAt: iso(s.dueAt),
      pausedAt: iso(s.pausedAt),
      completedAt: iso(s.completedAt),
      outcome: s.outcome,
      extensions: s.extensions,
      overdue: s.status === 'open' && s.dueAt !== null && s.dueAt.getTime() < now,
    })),
    live: live && presentLive(live),
  };
}

export type EnrolmentDetail = Awaited<ReturnType<typeof detail>>;

/**
 * How long a read waits for a workflow's live state before it answers from the projection alone. A worker answers a
 * query in milliseconds; with none running (a deploy, a crash) Temporal holds the query about 30 s before it fails it,
 * and a case page, which always asks, would hang that long.
 */
export const liveAnswerMs = 3_000;

/**
 * One enrolment the principal may see; `live` adds its workflow's state (one query, for the case on screen), or null
 * when the engine does not answer within liveAnswerMs. Without a Temporal client (an API built for reads only) there is
 * no one to ask: `unavailable`.
 */
export async function getEnrolment(
  deps: Pick<EnrolmentDeps, 'db'> & { temporal: Client | null },
  principal: Principal,
  id: string,
  options: { live: boolean; onQueryError?: (err: unknown) => void },
): Promise<EnrolmentDetail> {
  const row = await loadVisible(deps.db, principal, id);
  const e = row.enrolment;
  let live: EnrolmentState | null = null;
  if (options.live && (e.status === 'active' || e.status === 'paused')) {
    if (!deps.temporal) {
      throw new DomainError(
        'unavailable',
        'Status alur kerja langsung tidak tersedia: API ini berjalan tanpa Temporal / ' +
          'The live workflow state is unavailable: this API runs without Temporal',
      );
    }
    const temporal = deps.temporal;
    live = await temporal.connection
      .withDeadline(Date.now() + liveAnswerMs, () => temporal.workflow.getHandle(e.workflowId).query(statusQuery))
      .catch((err: unknown) => {
        // The projection still answers while Temporal is unreachable; the live part is then missing.
        options.onQueryError?.(err);
        return null;
      });
  }
  return detail(deps.db, e.id, live, row);
}

export type EnrolmentAction =
  | {
      kind: 'complete';
      stepKey: string;
      outcome: string;
      note?: string | undefined;
      certificate?: CertificateInput | undefined;
    }
  | { kind: 'extend'; reason: string; addWorkingDays: number }
  | { kind: 'extend'; reason: string; newDueDate: string }
  | { kind: 'pause'; reason: string }
  | { kind: 'resume' }
  | { kind: 'withdraw'; reason: string }
  | { kind: 'retry' };

export interface ActionOptions {
  /**
   * The action's identity (the Update ID): the same one twice is applied once, by Temporal itself. The API derives it
   * from the Idempotency-Key when the caller sends one; otherwise every request is a new action.
   */
  actionId?: string | undefined;
  requestId?: string | undefined;
  /** How long to wait for the workflow's answer; actionAnswerMs unless a test needs it shorter. */
  answerWithinMs?: number | undefined;
}

/** The end of an office day in its zone: what "extend to this date" means. */
async function endOfOfficeDay(db: Db, enrolmentId: string, date: string): Promise<number> {
  const [row] = await db
    .select({ zone: offices.timeZone, end: offices.officeHoursEnd })
    .from(enrolments)
    .innerJoin(offices, eq(offices.id, enrolments.officeId))
    .where(eq(enrolments.id, enrolmentId));
  const [hour, minute] = row!.end.split(':').map(Number);
  return DateTime.fromISO(date, { zone: row!.zone }).set({ hour, minute }).toMillis();
}

/**
 * Starts the workflow of the enrolment a withdrawal promoted from the waitlist (its audit row names it), at once rather
 * than at the reconciler's next pass; other outbox rows are left to their own requests and the reconciler.
 */
async function startPromoted(deps: EnrolmentDeps, updateId: string): Promise<void> {
  const [row] = await deps.db
    .select({ promoted: sql<string | null>`${auditLog.after} ->> 'promotedEnrolmentId'` })
    .from(auditLog)
    .where(eq(auditLog.actionId, updateId));
  if (row?.promoted) await startEnrolments(deps.db, deps.temporal, deps.taskQueue, [row.promoted]);
}

/** Applies one action to a running enrolment through its workflow and answers with the new detail. */
export async function actOnEnrolment(
  deps: EnrolmentDeps,
  source: AuditContext & { principal: Principal },
  id: string,
  action: EnrolmentAction,
  options: ActionOptions = {},
): Promise<EnrolmentDetail> {
  const { principal } = source;
  const e = (await loadVisible(deps.db, principal, id)).enrolment;
  // A waitlisted enrolment has no workflow yet: it leaves the waitlist in the database alone.
  if (action.kind === 'withdraw' && e.status === 'waitlisted') {
    await withdrawWaitlisted(deps.db, source, id, action.reason);
    return detail(deps.db, id, null);
  }
  if (e.status !== 'active' && e.status !== 'paused') {
    throw conflict(`Pendaftaran berstatus ${e.status} / Enrolment is ${e.status}`);
  }
  const actor: Actor = {
    userId: principal.userId,
    role: principal.role,
    ...(options.requestId ? { requestId: options.requestId } : {}),
  };
  const updateId = options.actionId ? `${action.kind}-${options.actionId}` : `${action.kind}-${randomUUID()}`;
  // A completion is checked against the recorded documents, not against keys the caller sends: each required item of
  // the step must have an accepted version (acceptance is final, so this cannot change before the step closes). The
  // workflow's validator gets the accepted keys and checks them again; a step other than the open one is its to refuse.
  let accepted: string[] = [];
  if (action.kind === 'complete') {
    const checklist = await checklistState(deps.db, e, action.stepKey);
    if (checklist.missing.length > 0 && e.currentStep === action.stepKey) {
      const items = checklist.missing.join(', ');
      throw conflict(`Dokumen wajib belum diterima: ${items} / Required documents not yet accepted: ${items}`, {
        missingItems: checklist.missing,
      });
    }
    accepted = checklist.accepted;
  }
  const state = await runUpdate(
    deps.temporal,
    e.workflowId,
    async (handle) => {
      switch (action.kind) {
        case 'complete':
          return handle.executeUpdate(completeStepUpdate, {
            updateId,
            args: [
              {
                actor,
                stepKey: action.stepKey,
                outcome: action.outcome,
                documents: accepted,
                ...(action.note ? { note: action.note } : {}),
                ...(action.certificate ? { certificate: action.certificate } : {}),
              },
            ],
          });
        case 'extend':
          return handle.executeUpdate(extendDeadlineUpdate, {
            updateId,
            args: [
              'addWorkingDays' in action
                ? { actor, reason: action.reason, addWorkingDays: action.addWorkingDays }
                : { actor, reason: action.reason, newDueAt: await endOfOfficeDay(deps.db, id, action.newDueDate) },
            ],
          });
        case 'pause':
          return handle.executeUpdate(pauseUpdate, { updateId, args: [{ actor, reason: action.reason }] });
        case 'resume':
          return handle.executeUpdate(resumeUpdate, { updateId, args: [{ actor }] });
        case 'withdraw':
          return handle.executeUpdate(withdrawUpdate, { updateId, args: [{ actor, reason: action.reason }] });
        case 'retry':
          return handle.executeUpdate(retryUpdate, { updateId, args: [{ actor }] });
      }
    },
    options.answerWithinMs,
  );
  if (action.kind === 'withdraw') await startPromoted(deps, updateId);
  return detail(deps.db, id, state);
}

/** Completes a cohort step (a training day) for every enrolment of the cohort waiting on it. */
export async function completeCohortStep(
  deps: EnrolmentDeps,
  source: AuditContext & { principal: Principal },
  cohortId: string,
  step: Omit<Extract<EnrolmentAction, { kind: 'complete' }>, 'kind' | 'certificate'>,
  options: ActionOptions = {},
): Promise<{ completed: string[]; skipped: { enrolmentId: string; reason: string }[] }> {
  const [cohort] = await deps.db.select().from(cohorts).where(eq(cohorts.id, cohortId));
  if (!cohort) throw notFound('Kohort / Cohort');
  assertOfficeScope(source.principal, cohort.officeId, 'Kohort / Cohort');
  const members = await deps.db
    .select({ id: enrolments.id })
    .from(enrolments)
    .where(and(eq(enrolments.cohortId, cohort.id), inArray(enrolments.status, ['active', 'paused'])));
  const completed: string[] = [];
  const skipped: { enrolmentId: string; reason: string }[] = [];
  for (const { id } of members) {
    try {
      await actOnEnrolment(
        deps,
        source,
        id,
        { kind: 'complete', ...step },
        {
          ...options,
          // One cohort request is one action on each member: a retry of it completes none twice.
          actionId: options.actionId ? `${options.actionId}-${id}` : undefined,
        },
      );
      completed.push(id);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      skipped.push({ enrolmentId: id, reason: err.detail });
    }
  }
  return { completed, skipped };
}

/**
 * Ingredients or process changed: a certified business starts re-certification as a new round. Refused while a round
 * of the same programme is still open; two requests at once make one round, as the parent row is locked first.
 */
export async function recertify(
  deps: EnrolmentDeps,
  source: AuditContext & { principal: Principal },
  id: string,
  reason: string,
): Promise<EnrolmentDetail> {
  const e = (await loadVisible(deps.db, source.principal, id)).enrolment;
  const created = await deps.db.transaction(async (tx) => {
    const [parent] = await tx.select().from(enrolments).where(eq(enrolments.id, e.id)).for('update');
    const held = await tx
      .select({ id: certificates.id })
      .from(certificates)
      .where(and(eq(certificates.enrolmentId, e.id), eq(certificates.status, 'valid')));
    if (parent!.status !== 'completed' || held.length === 0) {
      throw conflict(
        'Hanya pendaftaran yang selesai dengan sertifikat berlaku yang dapat disertifikasi ulang / Only a completed enrolment with a valid certificate can be re-certified',
      );
    }
    const [open] = await tx
      .select({ id: enrolments.id })
      .from(enrolments)
      .where(
        and(
          eq(enrolments.businessId, e.businessId),
          eq(enrolments.programmeKey, e.programmeKey),
          inArray(enrolments.status, ['waitlisted', 'active', 'paused']),
        ),
      )
      .limit(1);
    if (open) {
      throw conflict(
        'Sertifikasi ulang atau pendaftaran lain untuk program ini masih berjalan / A re-certification or another enrolment in this programme is still running',
        { enrolmentId: open.id },
      );
    }
    const [office] = await tx.select({ zone: offices.timeZone }).from(offices).where(eq(offices.id, e.officeId));
    const [business] = await tx
      .select({ nib: businesses.nib, name: businesses.name })
      .from(businesses)
      .where(eq(businesses.id, e.businessId));
    // The programme year is the office's own: a change on 31 December in WITA is already next year there.
    const year = DateTime.now().setZone(office!.zone).year;
    const [{ version } = { version: null }] = await tx
      .select({ version: max(programmeVersions.version) })
      .from(programmeVersions)
      .where(eq(programmeVersions.programmeKey, e.programmeKey));
    const [{ round } = { round: null }] = await tx
      .select({ round: max(enrolments.round) })
      .from(enrolments)
      .where(
        and(
          eq(enrolments.businessId, e.businessId),
          eq(enrolments.programmeKey, e.programmeKey),
          eq(enrolments.year, year),
        ),
      );
    const nextRound = Math.max((round ?? 0) + 1, e.round + 1);
    // A change is a legal obligation of a certified business, not a new place: re-certification takes no quota.
    const [next] = await tx
      .insert(enrolments)
      .values({
        workflowId: enrolmentWorkflowId({ programmeKey: e.programmeKey, year, nib: business!.nib, round: nextRound }),
        businessId: e.businessId,
        officeId: e.officeId,
        programmeKey: e.programmeKey,
        programmeVersion: version ?? e.programmeVersion,
        year,
        round: nextRound,
        status: 'active',
        parentEnrolmentId: e.id,
        enrolledBy: source.principal.userId,
        activatedAt: new Date(),
      })
      .returning();
    await tx.insert(outbox).values({ kind: 'start_enrolment', enrolmentId: next!.id });
    const [programme] = await tx
      .select({ nameId: programmes.nameId, nameEn: programmes.nameEn })
      .from(programmes)
      .where(eq(programmes.key, e.programmeKey));
    await recordNotice(
      tx,
      {
        enrolment: next!,
        businessName: business!.name,
        zone: office!.zone,
        programmeNameId: programme!.nameId,
        programmeNameEn: programme!.nameEn,
      },
      { kind: 'recertification_started', step: null, visit: 0, occurrence: '0', at: Date.now(), dueAt: null, reason },
    );
    await recordAudit(tx, source, {
      action: 'enrolment.recertify',
      entityType: 'enrolment',
      entityId: next!.id,
      officeId: e.officeId,
      businessId: e.businessId,
      after: { parentEnrolmentId: e.id, round: nextRound, reason },
    });
    return next!;
  });
  await startEnrolments(deps.db, deps.temporal, deps.taskQueue, [created.id]);
  return detail(deps.db, created.id, null);
}
