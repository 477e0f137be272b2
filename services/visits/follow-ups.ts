// Follow-up actions of a visit, with a due date on a working day of the office. They are reminded and escalated like
// a step: a reminder at the start of the working day before the due date, an overdue notice the working day after it,
// an escalation to the managers three working days after it. A scan does it (run with every round of the notification
// dispatcher): each notice has a unique key, and the row remembers the last one sent, so nothing goes twice and an
// escalated follow-up is not looked at again.
import { and, asc, eq, inArray, lte, ne, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import type { Db } from '../../db/client.js';
import { offices, visitFollowUps, visits, visitTeam } from '../../db/schema.js';
import { isWorkingDay, localDate, reminderInstant, type OfficeCalendar } from '../../domain/calendar.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import { endOfWorkingDate } from '../../domain/visit-recurrence.js';
import { recordAudit, type AuditContext } from '../audit.js';
import { formatDay } from '../notifications/texts.js';
import { assertOfficeScope, type Principal } from '../principal.js';
import { managersOf, recordVisitNotice } from './notices.js';
import { assertTeam } from './plans.js';
import { loadVisibleVisit, presentFollowUp } from './visits.js';

type Source = AuditContext & { principal: Principal };
const what = 'Tindak lanjut / Follow-up';

/** Working days after the due date at which the managers hear of a follow-up still open. */
export const escalateAfterWorkingDays = 3;

const stages = ['none', 'reminder', 'overdue', 'escalation'] as const;
type Stage = (typeof stages)[number];

/** When each notice of a follow-up due on a local date goes out. */
export function followUpNoticeTimes(dueDate: string, cal: OfficeCalendar): Record<Exclude<Stage, 'none'>, number> {
  const due = endOfWorkingDate(dueDate, cal);
  return {
    reminder: reminderInstant({ workingDays: 1, relativeTo: 'before_due' }, due, cal),
    overdue: reminderInstant({ workingDays: 1, relativeTo: 'after_due' }, due, cal),
    escalation: reminderInstant({ workingDays: escalateAfterWorkingDays, relativeTo: 'after_due' }, due, cal),
  };
}

/**
 * A follow-up of a visit (planned or closed, not cancelled). A due date on a closed day moves to the next working day,
 * as a step's calendar deadline does; a due date already past is refused.
 */
export async function addFollowUp(
  db: Db,
  source: Source,
  visitId: string,
  input: { action: string; dueDate: string; assigneeUserId?: string | undefined },
  now = Date.now(),
) {
  const visit = await loadVisibleVisit(db, source.principal, visitId);
  if (visit.status === 'cancelled') throw conflict('Kunjungan ini dibatalkan / This visit is cancelled');
  if (input.assigneeUserId) await assertTeam(db, visit.officeId, [input.assigneeUserId], 'body.assigneeUserId');
  const cal = await loadOfficeCalendar(db, visit.officeId, now);
  if (input.dueDate < localDate(now, cal.zone)) {
    throw invalid('Tenggat sudah lewat / The due date has passed', [
      { path: 'body.dueDate', message: 'paling awal hari ini / today at the earliest' },
    ]);
  }
  let due = DateTime.fromISO(input.dueDate);
  while (!isWorkingDay(due.toISODate()!, cal)) due = due.plus({ days: 1 });
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(visitFollowUps)
      .values({
        visitId,
        officeId: visit.officeId,
        action: input.action,
        dueDate: due.toISODate()!,
        assigneeUserId: input.assigneeUserId ?? null,
        createdBy: source.principal.userId,
      })
      .returning();
    await recordAudit(tx, source, {
      action: 'visit.follow_up.create',
      entityType: 'visit_follow_up',
      entityId: row!.id,
      officeId: visit.officeId,
      after: row,
    });
    return presentFollowUp(row!);
  });
}

/** Marks a follow-up done; of two at once, the second is 409. */
export async function completeFollowUp(db: Db, source: Source, id: string) {
  const [before] = await db.select().from(visitFollowUps).where(eq(visitFollowUps.id, id));
  if (!before) throw notFound(what);
  assertOfficeScope(source.principal, before.officeId, what);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(visitFollowUps)
      .set({ status: 'done', doneBy: source.principal.userId, doneAt: new Date() })
      .where(and(eq(visitFollowUps.id, id), eq(visitFollowUps.status, 'open')))
      .returning();
    if (!row) throw conflict('Tindak lanjut ini sudah selesai / This follow-up is already done');
    await recordAudit(tx, source, {
      action: 'visit.follow_up.done',
      entityType: 'visit_follow_up',
      entityId: id,
      officeId: before.officeId,
      before: { status: 'open' },
      after: { status: 'done' },
    });
    return presentFollowUp(row);
  });
}

/** The open follow-ups of the office (or every office, for an administrator), by due date: what awaits. */
export async function openFollowUps(db: Db, principal: Principal, officeId?: string) {
  const scope = principal.role === 'admin' ? officeId : (principal.officeId ?? '');
  const rows = await db
    .select({ followUp: visitFollowUps, place: visits.place, visitDate: visits.date })
    .from(visitFollowUps)
    .innerJoin(visits, eq(visits.id, visitFollowUps.visitId))
    .where(and(eq(visitFollowUps.status, 'open'), scope ? eq(visitFollowUps.officeId, scope) : undefined))
    .orderBy(asc(visitFollowUps.dueDate), asc(visitFollowUps.id));
  return rows.map((r) => ({ ...presentFollowUp(r.followUp), place: r.place, visitDate: r.visitDate }));
}

/** The farthest a reminder can precede its due date: the working day before, across the longest run of closed days. */
const lookAheadDays = 21;

const lastScan = new WeakMap<Db, number>();

/**
 * Sends the follow-up notices whose time has come; how many notice rows were written. Every dispatcher round calls it,
 * and once a minute is enough for notices that go out at the start of office hours.
 */
export async function scanFollowUps(db: Db, now: number): Promise<number> {
  const previous = lastScan.get(db);
  if (previous !== undefined && now - previous < 60_000 && now >= previous) return 0;
  lastScan.set(db, now);
  const horizon = DateTime.fromMillis(now).plus({ days: lookAheadDays }).toISODate()!;
  const rows = await db
    .select({ followUp: visitFollowUps, place: visits.place, zone: offices.timeZone })
    .from(visitFollowUps)
    .innerJoin(visits, eq(visits.id, visitFollowUps.visitId))
    .innerJoin(offices, eq(offices.id, visitFollowUps.officeId))
    .where(
      and(
        eq(visitFollowUps.status, 'open'),
        ne(visitFollowUps.lastNotice, 'escalation'),
        lte(visitFollowUps.dueDate, horizon),
      ),
    )
    .orderBy(asc(visitFollowUps.officeId));
  const calendars = new Map<string, OfficeCalendar>();
  let written = 0;
  for (const { followUp, place, zone } of rows) {
    let cal = calendars.get(followUp.officeId);
    if (!cal) {
      cal = await loadOfficeCalendar(db, followUp.officeId, now);
      calendars.set(followUp.officeId, cal);
    }
    const times = followUpNoticeTimes(followUp.dueDate, cal);
    const due = stages.filter((s): s is Exclude<Stage, 'none'> => s !== 'none' && times[s] <= now);
    const pending = due.filter((s) => stages.indexOf(s) > stages.indexOf(followUp.lastNotice));
    if (pending.length === 0) continue;
    // Only the latest that is due: a follow-up found already overdue is not also reminded.
    const stage = pending[pending.length - 1]!;
    written += await db.transaction(async (tx) => {
      const recipients =
        stage === 'escalation'
          ? await managersOf(tx, followUp.officeId)
          : followUp.assigneeUserId
            ? [followUp.assigneeUserId]
            : (
                await tx.select({ id: visitTeam.userId }).from(visitTeam).where(eq(visitTeam.visitId, followUp.visitId))
              ).map((t) => t.id);
      const dueMs = endOfWorkingDate(followUp.dueDate, cal);
      const values = (language: 'id' | 'en') => ({
        action: followUp.action,
        place,
        due: formatDay(dueMs, zone, language),
      });
      const n = await recordVisitNotice(tx, {
        kind: `follow_up_${stage}`,
        officeId: followUp.officeId,
        subject: `follow-up:${followUp.id}`,
        userIds: recipients,
        at: now,
        values: { id: values('id'), en: values('en') },
      });
      await tx
        .update(visitFollowUps)
        .set({ lastNotice: stage })
        .where(
          and(
            eq(visitFollowUps.id, followUp.id),
            inArray(visitFollowUps.lastNotice, stages.slice(0, stages.indexOf(stage))),
          ),
        );
      return n;
    });
  }
  return written;
}

/** How many follow-ups of an office are open, and how many of them are past their due date: the figure. */
export async function followUpCounts(db: Db, officeId: string | undefined, today: string) {
  const [row] = await db
    .select({
      open: sql<number>`count(*)::int`,
      overdue: sql<number>`(count(*) filter (where ${visitFollowUps.dueDate} < ${today}))::int`,
    })
    .from(visitFollowUps)
    .where(and(eq(visitFollowUps.status, 'open'), officeId ? eq(visitFollowUps.officeId, officeId) : undefined));
  return { open: row?.open ?? 0, overdue: row?.overdue ?? 0 };
}
