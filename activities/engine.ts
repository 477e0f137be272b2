// Activities of the enrolment workflow: they project its step state into Postgres and record notifications.
// Every instant comes from the workflow (its clock is the one that counts); every write is idempotent,
// because Temporal retries an activity that failed or timed out after it may have written.
import { ApplicationFailure } from '@temporalio/activity';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../db/client.js';
import { auditLog, businesses, certificates, enrolments, offices, programmes, stepInstances } from '../db/schema.js';
import { addWorkingDays, computeDue, nextOfficeInstant, remainingWorkingDays, resumeDue } from '../domain/calendar.js';
import { spreadReminders, stepNotices } from '../domain/step-timing.js';
import { releasePlaceAndPromote } from '../services/quota.js';
import type { ActionAudit, EngineActivities, StepTiming } from '../workflows/messages.js';
import { loadOfficeCalendar } from './calendar.js';
import { recordNotice, recordStepNotice } from '../services/notifications/record.js';

async function loadContext(db: DbOrTx, enrolmentId: string) {
  const [row] = await db
    .select({
      enrolment: enrolments,
      businessName: businesses.name,
      zone: offices.timeZone,
      programmeNameId: programmes.nameId,
      programmeNameEn: programmes.nameEn,
    })
    .from(enrolments)
    .innerJoin(businesses, eq(businesses.id, enrolments.businessId))
    .innerJoin(offices, eq(offices.id, enrolments.officeId))
    .innerJoin(programmes, eq(programmes.key, enrolments.programmeKey))
    .where(eq(enrolments.id, enrolmentId));
  if (!row)
    throw ApplicationFailure.create({
      type: 'NotFound',
      message: `enrolment ${enrolmentId} not found`,
      nonRetryable: true,
    });
  return row;
}

/** The action's audit row, in the transaction of its change; a retried activity finds it there and adds none. */
async function auditAction(
  db: DbOrTx,
  enrolment: { id: string; officeId: string; businessId: string },
  audit: ActionAudit | undefined,
  before: unknown,
  after: unknown,
): Promise<void> {
  if (!audit) return;
  await db
    .insert(auditLog)
    .values({
      actorUserId: audit.actor.userId,
      actorRole: audit.actor.role,
      action: audit.action,
      entityType: 'enrolment',
      entityId: enrolment.id,
      officeId: enrolment.officeId,
      businessId: enrolment.businessId,
      before,
      after: { ...(after as object), request: audit.detail },
      requestId: audit.actor.requestId ?? null,
      actionId: audit.actionId,
    })
    .onConflictDoNothing({ target: auditLog.actionId });
}

function stepRow(db: DbOrTx, enrolmentId: string, stepKey: string, visit: number) {
  return db
    .select()
    .from(stepInstances)
    .where(
      and(
        eq(stepInstances.enrolmentId, enrolmentId),
        eq(stepInstances.stepKey, stepKey),
        eq(stepInstances.visit, visit),
      ),
    )
    .then((rows) => rows[0]);
}

export function createEngineActivities({ database }: { database: Database }): EngineActivities {
  const { db } = database;

  return {
    async openStep({ enrolmentId, step, visit, openedAt }): Promise<StepTiming> {
      const ctx = await loadContext(db, enrolmentId);
      const cal = await loadOfficeCalendar(db, ctx.enrolment.officeId, openedAt);
      const dueAt = step.due ? computeDue(step.due, openedAt, cal) : null;
      const workingDayRule = step.due?.kind === 'working_days';
      await db.transaction(async (tx) => {
        await tx
          .insert(stepInstances)
          .values({
            enrolmentId,
            stepKey: step.key,
            visit,
            status: 'open',
            openedAt: new Date(openedAt),
            dueAt: dueAt === null ? null : new Date(dueAt),
            dueBasisAt: workingDayRule ? new Date(openedAt) : null,
            dueWorkingDays: step.due?.kind === 'working_days' ? step.due.days : null,
            officeId: ctx.enrolment.officeId,
            officeActs: step.actor !== 'business',
          })
          .onConflictDoNothing();
        await tx
          .update(enrolments)
          .set({ currentStep: step.key, updatedAt: new Date(openedAt) })
          .where(eq(enrolments.id, enrolmentId));
        await recordNotice(tx, ctx, { kind: 'step_opened', step, visit, occurrence: '0', at: openedAt, dueAt });
      });
      return { openedAt, dueAt, notices: spreadReminders(stepNotices(step, dueAt, cal), enrolmentId) };
    },

    async sendNotice(notice) {
      // The notices of waiting cases: one read and one insert (services/notifications/record.ts).
      if (!(await recordStepNotice(db, notice))) {
        throw ApplicationFailure.create({
          type: 'NotFound',
          message: `enrolment ${notice.enrolmentId} not found`,
          nonRetryable: true,
        });
      }
    },

    async rescheduleStep({ enrolmentId, step, visit, at, change, audit }): Promise<StepTiming> {
      const ctx = await loadContext(db, enrolmentId);
      const cal = await loadOfficeCalendar(db, ctx.enrolment.officeId, at);
      const row = await stepRow(db, enrolmentId, step.key, visit);
      if (!row)
        throw ApplicationFailure.create({
          type: 'NotFound',
          message: `step ${step.key}/${visit} not open`,
          nonRetryable: true,
        });
      const openedAt = row.openedAt.getTime();
      const oldDue = row.dueAt?.getTime() ?? null;
      let patch: Partial<typeof stepInstances.$inferInsert> = {};
      let enrolmentStatus: 'active' | 'paused' | null = null;

      switch (change.kind) {
        case 'extend': {
          if (oldDue === null) break;
          if ('newDueAt' in change) {
            patch = { dueAt: new Date(change.newDueAt), dueBasisAt: null, dueWorkingDays: null };
          } else if (row.dueBasisAt && row.dueWorkingDays !== null) {
            const days = row.dueWorkingDays + change.addWorkingDays;
            patch = { dueAt: new Date(addWorkingDays(row.dueBasisAt.getTime(), days, cal)), dueWorkingDays: days };
          } else {
            patch = { dueAt: new Date(addWorkingDays(oldDue, change.addWorkingDays, cal)) };
          }
          patch.extensions = sql`${stepInstances.extensions} + 1` as unknown as number;
          patch.note = change.reason;
          break;
        }
        case 'pause':
          // A retried pause finds the step already paused and keeps the first pause's instant.
          if (row.status !== 'paused') patch = { status: 'paused', pausedAt: new Date(at), note: change.reason };
          enrolmentStatus = 'paused';
          break;
        case 'resume': {
          enrolmentStatus = 'active';
          if (row.status !== 'paused' || !row.pausedAt) break;
          const pausedAt = row.pausedAt.getTime();
          if (oldDue === null) {
            patch = { status: 'open', pausedAt: null };
          } else {
            const kept = remainingWorkingDays(pausedAt, oldDue, cal);
            const workingBased = row.dueBasisAt !== null && oldDue > pausedAt;
            // With no working day left the step is due at the end of the next office day; the basis is that day's
            // opening, so a later calendar correction recomputes the same day rather than one already past.
            const basis = kept === 0 ? nextOfficeInstant(at, cal) : at;
            patch = {
              status: 'open',
              pausedAt: null,
              dueAt: new Date(resumeDue(pausedAt, oldDue, at, cal)),
              dueBasisAt: workingBased ? new Date(basis) : null,
              dueWorkingDays: workingBased ? kept : null,
            };
          }
          break;
        }
        case 'calendar': {
          // Only deadlines still ahead move (for a paused step: ahead when its clock stopped); one already passed has
          // had its consequences, and none moves into the past.
          const reference = row.pausedAt?.getTime() ?? at;
          if (row.dueBasisAt && row.dueWorkingDays !== null && oldDue !== null && oldDue > reference) {
            const moved = addWorkingDays(row.dueBasisAt.getTime(), row.dueWorkingDays, cal);
            if (moved > reference) patch = { dueAt: new Date(moved) };
          }
          break;
        }
      }

      await db.transaction(async (tx) => {
        if (Object.keys(patch).length > 0) {
          await tx
            .update(stepInstances)
            .set({ ...patch, updatedAt: new Date(at) })
            .where(eq(stepInstances.id, row.id));
        }
        if (enrolmentStatus) {
          await tx
            .update(enrolments)
            .set({ status: enrolmentStatus, updatedAt: new Date(at) })
            .where(and(eq(enrolments.id, enrolmentId), inArray(enrolments.status, ['active', 'paused'])));
        }
        await auditAction(
          tx,
          ctx.enrolment,
          audit,
          { status: row.status, dueAt: row.dueAt },
          { status: patch.status ?? row.status, dueAt: patch.dueAt ?? row.dueAt },
        );
        // Each change is told once: the workflow's instant `at` names it, the same on every retry.
        const newDue = patch.dueAt instanceof Date ? patch.dueAt.getTime() : oldDue;
        const told = { step, visit, occurrence: String(at), at, dueAt: newDue, previousDueAt: oldDue };
        if (change.kind === 'extend' && oldDue !== null) {
          await recordNotice(tx, ctx, { ...told, kind: 'extended', reason: change.reason });
        } else if (change.kind === 'pause' && patch.status === 'paused') {
          await recordNotice(tx, ctx, { ...told, kind: 'paused', reason: change.reason });
        } else if (change.kind === 'resume' && patch.status === 'open') {
          await recordNotice(tx, ctx, { ...told, kind: 'resumed' });
        } else if (change.kind === 'calendar' && patch.dueAt) {
          await recordNotice(tx, ctx, { ...told, kind: 'deadline_moved' });
        }
      });
      const fresh = await stepRow(db, enrolmentId, step.key, visit);
      const dueAt = fresh?.dueAt?.getTime() ?? null;
      const paused = fresh?.status === 'paused';
      return { openedAt, dueAt, notices: paused ? [] : spreadReminders(stepNotices(step, dueAt, cal), enrolmentId) };
    },

    async closeStep({ enrolmentId, stepKey, visit, outcome, actorUserId, at, note, certificate, next, audit, step }) {
      const ctx = await loadContext(db, enrolmentId);
      await db.transaction(async (tx) => {
        if (step) {
          const name = step.outcomes.find((o) => o.key === outcome)?.name;
          await recordNotice(tx, ctx, {
            kind: 'step_completed',
            step,
            visit,
            occurrence: '0',
            at,
            dueAt: null,
            ...(name ? { outcome: name } : {}),
          });
        }
        await auditAction(tx, ctx.enrolment, audit, { currentStep: stepKey }, { outcome, currentStep: next });
        await tx
          .update(stepInstances)
          .set({
            status: 'done',
            outcome,
            completedAt: new Date(at),
            completedBy: actorUserId,
            note: note ?? null,
            updatedAt: new Date(at),
          })
          .where(
            and(
              eq(stepInstances.enrolmentId, enrolmentId),
              eq(stepInstances.stepKey, stepKey),
              eq(stepInstances.visit, visit),
            ),
          );
        await tx
          .update(enrolments)
          .set({ currentStep: next, updatedAt: new Date(at) })
          .where(eq(enrolments.id, enrolmentId));
        if (certificate) {
          const [e] = await tx
            .select({ businessId: enrolments.businessId, kind: enrolments.programmeKey })
            .from(enrolments)
            .where(eq(enrolments.id, enrolmentId));
          const existing = await tx
            .select({ id: certificates.id })
            .from(certificates)
            .where(eq(certificates.enrolmentId, enrolmentId));
          if (e && existing.length === 0) {
            // A re-certification's certificate replaces the one the change made out of date.
            await tx
              .update(certificates)
              .set({ status: 'superseded' })
              .where(
                and(
                  eq(certificates.businessId, e.businessId),
                  eq(certificates.kind, e.kind),
                  eq(certificates.status, 'valid'),
                ),
              );
            await tx
              .insert(certificates)
              .values({ businessId: e.businessId, enrolmentId, kind: e.kind, ...certificate });
            await recordNotice(tx, ctx, {
              kind: 'certificate_issued',
              step: null,
              visit: 0,
              occurrence: '0',
              at,
              dueAt: null,
              certificateNumber: certificate.number,
            });
          }
        }
      });
    },

    async finishEnrolment({ enrolmentId, result, at }) {
      const ctx = await loadContext(db, enrolmentId);
      await db.transaction(async (tx) => {
        await tx
          .update(enrolments)
          .set({ status: result, completedAt: new Date(at), currentStep: null, updatedAt: new Date(at) })
          .where(eq(enrolments.id, enrolmentId));
        // A failed enrolment is told so, never that it completed.
        await recordNotice(tx, ctx, { kind: result, step: null, visit: 0, occurrence: '0', at, dueAt: null });
      });
    },

    async withdrawEnrolment({ enrolmentId, reason, at, audit }) {
      const ctx = await loadContext(db, enrolmentId);
      await db.transaction(async (tx) => {
        const [before] = await tx.select().from(enrolments).where(eq(enrolments.id, enrolmentId)).for('update');
        if (!before || before.status === 'withdrawn') return;
        await tx
          .update(enrolments)
          .set({
            status: 'withdrawn',
            withdrawnAt: new Date(at),
            withdrawReason: reason,
            currentStep: null,
            // A stuck case withdrawn is no longer stuck: its failed write was dropped with it.
            stuckAt: null,
            stuckReason: null,
            updatedAt: new Date(at),
          })
          .where(eq(enrolments.id, enrolmentId));
        await tx
          .update(stepInstances)
          .set({ status: 'cancelled', updatedAt: new Date(at) })
          .where(and(eq(stepInstances.enrolmentId, enrolmentId), inArray(stepInstances.status, ['open', 'paused'])));
        const promoted =
          before.quotaId && (before.status === 'active' || before.status === 'paused')
            ? await releasePlaceAndPromote(tx, before.quotaId, new Date(at))
            : null;
        // The promoted enrolment is named in the audit row, where the caller finds it to start its workflow at once.
        await auditAction(
          tx,
          before,
          audit,
          { status: before.status, currentStep: before.currentStep },
          { status: 'withdrawn', reason, promotedEnrolmentId: promoted },
        );
        await recordNotice(tx, ctx, {
          kind: 'withdrawn',
          step: null,
          visit: 0,
          occurrence: '0',
          at,
          dueAt: null,
          reason,
        });
      });
    },

    async markStuck({ enrolmentId, stuck, at }) {
      const ctx = await loadContext(db, enrolmentId).catch((err: unknown) => {
        if (err instanceof ApplicationFailure && err.type === 'NotFound') return null;
        throw err;
      });
      // Without its row there is nothing to mark; the workflow's own state still says stuck, and its query shows it.
      if (!ctx) return;
      await db.transaction(async (tx) => {
        await tx
          .update(enrolments)
          .set({
            stuckAt: stuck ? new Date(stuck.since) : null,
            stuckReason: stuck ? `${stuck.operation}: ${stuck.reason}` : null,
            updatedAt: new Date(at),
          })
          .where(eq(enrolments.id, enrolmentId));
        if (stuck) {
          await recordNotice(tx, ctx, {
            kind: 'stuck',
            step: null,
            visit: 0,
            occurrence: String(stuck.since),
            at,
            dueAt: null,
            detail: `${stuck.operation}: ${stuck.reason}`,
          });
        }
      });
    },
  };
}
