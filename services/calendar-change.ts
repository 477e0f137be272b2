// Corrections to the office calendar, and how they reach running enrolments. Each correction commits, in one
// transaction, the calendar row, its audit row and an outbox row asking for a fan-out; after the commit the caller
// starts the fan-out workflow (workflows/calendar-fan-out.ts), which signals every running enrolment of the office (or
// of all offices, for a national day) in batches. A start lost in a crash is made by the reconciler from the outbox row.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { and, asc, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { calendarDays, calendarYears, enrolments, offices, outbox } from '../db/schema.js';
import { conflict, forbidden, notFound } from '../domain/errors.js';
import { calendarChangedSignal } from '../workflows/messages.js';
import type { CalendarBatch, CalendarFanOutInput } from '../workflows/calendar-fan-out.js';
import { recordAudit, type AuditContext } from './audit.js';

export const calendarFanOutWorkflowType = 'calendarFanOutWorkflow';

/** A committed correction whose fan-out is asked for: its outbox row, and the office (null: every office). */
export interface CalendarChange {
  id: number;
  officeId: string | null;
}

export type CalendarDay = typeof calendarDays.$inferSelect;

export interface NewCalendarDay {
  date: string;
  kind: CalendarDay['kind'];
  nameId: string;
  nameEn: string;
  /** An office closure names its office; a national day has none. */
  officeId?: string;
}

const nationalOnlyByAdmin = () =>
  forbidden('Libur nasional hanya diubah oleh administrator / National days are changed by an administrator only');

/** Who may change this day: an office's staff its own closures (404 elsewhere, as for any office's data), admins all. */
async function assertMayChange(db: Db, source: AuditContext, officeId: string | null, what: string): Promise<void> {
  const principal = source.principal;
  if (officeId === null) {
    // A national day moves the deadlines of every office, so it is not one office's decision.
    if (principal?.role !== 'admin') throw nationalOnlyByAdmin();
    return;
  }
  const [office] = await db.select({ id: offices.id }).from(offices).where(eq(offices.id, officeId));
  if (!office || (principal?.role !== 'admin' && principal?.officeId !== officeId)) throw notFound(what);
}

async function queueFanOut(tx: Tx, officeId: string | null): Promise<CalendarChange> {
  const [row] = await tx
    .insert(outbox)
    .values({ kind: 'calendar_fan_out', officeId })
    .returning({ id: outbox.id, officeId: outbox.officeId });
  return row!;
}

export async function addCalendarDay(
  db: Db,
  source: AuditContext,
  input: NewCalendarDay,
): Promise<{ day: CalendarDay; change: CalendarChange }> {
  const officeId = input.officeId ?? null;
  await assertMayChange(db, source, officeId, 'Kantor / Office');
  return db.transaction(async (tx) => {
    const [day] = await tx
      .insert(calendarDays)
      .values({ ...input, officeId, source: 'officer' })
      .onConflictDoNothing()
      .returning();
    if (!day)
      throw conflict(
        `${input.date} sudah tercatat sebagai ${input.kind} / ${input.date} is already recorded as ${input.kind}`,
      );
    await recordAudit(tx, source, {
      action: 'calendar.day.add',
      entityType: 'calendar_day',
      entityId: day.id,
      officeId: day.officeId,
      after: day,
    });
    return { day, change: await queueFanOut(tx, day.officeId) };
  });
}

export async function removeCalendarDay(db: Db, source: AuditContext, id: string): Promise<CalendarChange> {
  const [found] = await db.select().from(calendarDays).where(eq(calendarDays.id, id));
  if (!found) throw notFound('Hari libur / Day');
  await assertMayChange(db, source, found.officeId, 'Hari libur / Day');
  return db.transaction(async (tx) => {
    const [day] = await tx.delete(calendarDays).where(eq(calendarDays.id, id)).returning();
    // Removed meanwhile by someone else, whose own change asked for the fan-out.
    if (!day) throw notFound('Hari libur / Day');
    await recordAudit(tx, source, {
      action: 'calendar.day.remove',
      entityType: 'calendar_day',
      entityId: day.id,
      officeId: day.officeId,
      before: day,
    });
    return queueFanOut(tx, day.officeId);
  });
}

/** The SKB 3 Menteri of a year is entered: the library's dates no longer apply, in every office. Admins only. */
export async function decreeCalendarYear(
  db: Db,
  source: AuditContext,
  year: number,
  decree: string,
): Promise<{ saved: typeof calendarYears.$inferSelect; change: CalendarChange }> {
  await assertMayChange(db, source, null, 'Tahun / Year');
  return db.transaction(async (tx) => {
    const [saved] = await tx
      .insert(calendarYears)
      .values({ year, decreed: true, decree })
      .onConflictDoUpdate({ target: calendarYears.year, set: { decreed: true, decree, updatedAt: new Date() } })
      .returning();
    await recordAudit(tx, source, {
      action: 'calendar.year.decree',
      entityType: 'calendar_year',
      entityId: String(year),
      after: saved,
    });
    return { saved: saved!, change: await queueFanOut(tx, null) };
  });
}

export const calendarFanOutWorkflowId = (changeId: number) => `calendar-fan-out-${changeId}`;

/**
 * Starts the fan-out of a committed correction. Harmless to repeat: a running fan-out is reused, and a finished one runs
 * again (signalling a case twice only recomputes its deadlines), which is safer than skipping a correction whose ID a
 * fresh database happens to share with an old run.
 */
export async function startCalendarFanOutWorkflow(
  client: Client,
  taskQueue: string,
  change: CalendarChange,
): Promise<void> {
  const input: CalendarFanOutInput = { changeId: change.id, officeId: change.officeId };
  await client.workflow.start(calendarFanOutWorkflowType, {
    workflowId: calendarFanOutWorkflowId(change.id),
    taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}

/**
 * After the commit of a correction: starts its fan-out and marks its outbox row done, without waiting for the signals.
 * If this fails or never runs, the row stays for the reconciler, so the caller may log the error and answer anyway.
 */
export async function startCalendarFanOut(
  db: Db,
  client: Client,
  taskQueue: string,
  change: CalendarChange,
): Promise<void> {
  await startCalendarFanOutWorkflow(client, taskQueue, change);
  await db
    .update(outbox)
    .set({ processedAt: new Date(), claimedUntil: null })
    .where(and(eq(outbox.id, change.id), isNull(outbox.processedAt)));
}

/** Enrolments per batch: one activity's work, and the step by which a crashed fan-out resumes. */
export const calendarBatchSize = 100;
/** Signals in flight at once against the Temporal frontend. */
const parallel = 20;

/**
 * One batch of a fan-out: the running (active or paused) enrolments of the office after the cursor, in id order, each
 * told that the calendar changed. An enrolment that has just finished has no workflow left to tell; any other failure
 * fails the batch, which is retried whole (a second signal is harmless). `progress` is called after each group of
 * signals (the activity heartbeats, so a batch whose worker died is retried at once rather than after its timeout).
 */
export async function signalCalendarBatch(
  db: Db,
  client: Client,
  input: { officeId: string | null; after: string | null },
  progress: () => void = () => {},
  limit = calendarBatchSize,
): Promise<CalendarBatch> {
  const running = await db
    .select({ id: enrolments.id, workflowId: enrolments.workflowId })
    .from(enrolments)
    .where(
      and(
        inArray(enrolments.status, ['active', 'paused']),
        input.officeId ? eq(enrolments.officeId, input.officeId) : undefined,
        input.after ? gt(enrolments.id, input.after) : undefined,
      ),
    )
    .orderBy(asc(enrolments.id))
    .limit(limit);
  let signalled = 0;
  for (let i = 0; i < running.length; i += parallel) {
    await Promise.all(
      running.slice(i, i + parallel).map(async ({ workflowId }) => {
        try {
          await client.workflow.getHandle(workflowId).signal(calendarChangedSignal);
          signalled++;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }),
    );
    progress();
  }
  return { signalled, next: running.length < limit ? null : running.at(-1)!.id };
}
