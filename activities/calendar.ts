// The office calendar as the working-day arithmetic needs it: decreed holidays and cuti bersama from the database,
// the office's own closures, and for a year nobody has decreed yet, a library's holidays (flagged "not decreed").
import { and, eq, gte, inArray, isNull, lte, or } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { DbOrTx } from '../db/client.js';
import { calendarDays, calendarYears, offices } from '../db/schema.js';
import type { OfficeCalendar } from '../domain/calendar.js';
import { fallbackClosedDates } from '../domain/holiday-fallback.js';

// The library's answer for a year never changes within a process, and building it is the slow part.
const fallbackByYear = new Map<number, string[]>();
function fallbackDates(year: number): string[] {
  let dates = fallbackByYear.get(year);
  if (!dates) {
    dates = fallbackClosedDates(year).map((h) => h.date);
    fallbackByYear.set(year, dates);
  }
  return dates;
}

/** Years around an instant that a deadline computed from it can reach (the longest steps last months). */
function yearsAround(ms: number, zone: string): number[] {
  const year = DateTime.fromMillis(ms, { zone }).year;
  return [year - 1, year, year + 1, year + 2];
}

export async function loadOfficeCalendar(db: DbOrTx, officeId: string, aroundMs: number): Promise<OfficeCalendar> {
  const [office] = await db.select().from(offices).where(eq(offices.id, officeId));
  if (!office) throw new Error(`office ${officeId} not found`);
  const years = yearsAround(aroundMs, office.timeZone);
  const first = `${years[0]}-01-01`;
  const last = `${years[years.length - 1]}-12-31`;
  const [rows, decreed] = await Promise.all([
    db
      .select({ date: calendarDays.date })
      .from(calendarDays)
      .where(
        and(
          gte(calendarDays.date, first),
          lte(calendarDays.date, last),
          or(isNull(calendarDays.officeId), eq(calendarDays.officeId, officeId)),
        ),
      ),
    db
      .select()
      .from(calendarYears)
      .where(and(inArray(calendarYears.year, years), eq(calendarYears.decreed, true))),
  ]);
  const closed = new Set(rows.map((r) => r.date));
  const decreedYears = new Set(decreed.map((y) => y.year));
  for (const year of years) {
    if (!decreedYears.has(year)) for (const date of fallbackDates(year)) closed.add(date);
  }
  return {
    zone: office.timeZone,
    closedDates: closed,
    officeHours: { start: office.officeHoursStart, end: office.officeHoursEnd },
  };
}
