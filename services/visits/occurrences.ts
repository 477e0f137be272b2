// What a visit plan's schedule does each month (through workflows/visit-plan.ts): create the month's visits, once each,
// and remind each visit's team the working day before it.
import { and, eq, inArray } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import type { Db } from '../../db/client.js';
import { offices, visitPlans, visits, visitSites, visitTeam } from '../../db/schema.js';
import { localDate } from '../../domain/calendar.js';
import { occurrencesInMonth, recurrenceSchema, visitReminderInstant } from '../../domain/visit-recurrence.js';
import { formatDay } from '../notifications/texts.js';
import type { PlannedVisit } from '../../workflows/visit-plan.js';
import { recordVisitNotice } from './notices.js';

/**
 * Creates the visits of the plan's occurrences in a month ('YYYY-MM', or the month of `scheduledAt` in the office's
 * zone) that do not exist yet, with the plan's team and sites, and returns every visit of those occurrences. A visit is
 * keyed by its plan and slot, so a second run of the same month (a trigger, a backfill, a retry) adds nothing.
 */
export async function createPlannedVisits(
  db: Db,
  input: { planId: string; month?: string | undefined; scheduledAt: number },
): Promise<{ month: string; visits: PlannedVisit[] }> {
  const [row] = await db
    .select({ plan: visitPlans, zone: offices.timeZone })
    .from(visitPlans)
    .innerJoin(offices, eq(offices.id, visitPlans.officeId))
    .where(eq(visitPlans.id, input.planId));
  // A schedule whose plan never committed (see createVisitPlan) has nothing to do.
  if (!row) return { month: input.month ?? '', visits: [] };
  const { plan, zone } = row;
  const month = input.month ?? DateTime.fromMillis(input.scheduledAt, { zone }).toFormat('yyyy-MM');
  const cal = await loadOfficeCalendar(db, plan.officeId, DateTime.fromISO(`${month}-15`, { zone }).toMillis());
  const occurrences = occurrencesInMonth(recurrenceSchema.parse(plan.recurrence), month, cal);
  if (occurrences.length === 0) return { month, visits: [] };
  const slotKeys = occurrences.map((o) => `${month}#${o.slot}`);
  const created = await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(visits)
      .values(
        occurrences.map((o) => ({
          officeId: plan.officeId,
          planId: plan.id,
          slotKey: `${month}#${o.slot}`,
          date: o.date,
          place: plan.place,
        })),
      )
      .onConflictDoNothing({ target: [visits.planId, visits.slotKey] })
      .returning({ id: visits.id });
    const team = inserted.flatMap((v) => plan.teamUserIds.map((userId) => ({ visitId: v.id, userId })));
    if (team.length > 0) await tx.insert(visitTeam).values(team).onConflictDoNothing();
    const seen = inserted.flatMap((v) => plan.siteIds.map((siteId) => ({ visitId: v.id, siteId })));
    if (seen.length > 0) await tx.insert(visitSites).values(seen).onConflictDoNothing();
    return tx
      .select({ id: visits.id, date: visits.date })
      .from(visits)
      .where(and(eq(visits.planId, plan.id), inArray(visits.slotKey, slotKeys)));
  });
  return {
    month,
    visits: created.map((v) => ({ visitId: v.id, date: v.date, remindAt: visitReminderInstant(v.date, cal) })),
  };
}

/**
 * Reminds the team of a visit that is still planned and not yet past (in the office's zone); a cancelled, closed or
 * past visit (a backfilled month) gets no reminder. How many notices were new.
 */
export async function remindVisitTeam(db: Db, visitId: string, now: number): Promise<number> {
  const [row] = await db
    .select({ visit: visits, zone: offices.timeZone, planName: visitPlans.name })
    .from(visits)
    .innerJoin(offices, eq(offices.id, visits.officeId))
    .leftJoin(visitPlans, eq(visitPlans.id, visits.planId))
    .where(eq(visits.id, visitId));
  if (!row || row.visit.status !== 'planned' || row.visit.date < localDate(now, row.zone)) return 0;
  const team = await db.select({ userId: visitTeam.userId }).from(visitTeam).where(eq(visitTeam.visitId, visitId));
  const day = DateTime.fromISO(`${row.visit.date}T12:00`, { zone: row.zone }).toMillis();
  const values = (language: 'id' | 'en') => ({
    place: row.visit.place,
    date: formatDay(day, row.zone, language),
    plan: row.planName ?? (language === 'id' ? 'lapangan' : 'field'),
  });
  return recordVisitNotice(db, {
    kind: 'visit_reminder',
    officeId: row.visit.officeId,
    subject: `visit:${visitId}`,
    userIds: team.map((t) => t.userId),
    at: now,
    values: { id: values('id'), en: values('en') },
  });
}
