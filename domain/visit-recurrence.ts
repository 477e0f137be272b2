// The dates of a visit plan in one calendar month. Pure (no clock, no I/O): it runs in activities and pages alike.
//
// A recurrence is by calendar month, as offices plan their visits ("twice a month", "the 2nd and 4th Thursday",
// "2–4 times a month"), never "every N days". Every date falls on a working day of the office's calendar: a date
// on a weekend, a holiday, cuti bersama or an office closure moves to the next working day of the month, or, when
// the month has none left after it, to the last working day before it. Two occurrences never share a day.
import { z } from 'zod';
import { DateTime } from 'luxon';
import { addWorkingDays, isWorkingDay, reminderInstant, type OfficeCalendar } from './calendar.js';

export const recurrenceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('times_per_month'),
      times: z.number().int().min(1).max(8).describe('visits a month, on fixed days spread over the month'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('nth_weekday'),
      weekday: z.number().int().min(1).max(5).describe('1 = Monday … 5 = Friday'),
      nth: z
        .array(z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(-1)]))
        .min(1)
        .max(5)
        .describe('which ones of the month: 1–4, or -1 for the last'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('range_per_month'),
      min: z.number().int().min(1).max(8),
      max: z.number().int().min(1).max(8),
    })
    .strict()
    .refine((r) => r.min <= r.max, {
      message: 'min tidak boleh lebih dari max / min must not exceed max',
      path: ['min'],
    })
    .describe('at least min visits on fixed days; more, up to max, are recorded as they happen'),
]);
export type Recurrence = z.infer<typeof recurrenceSchema>;

/** One occurrence of a plan in a month: `slot` numbers it within the month, the key of its one visit. */
export interface Occurrence {
  slot: number;
  /** 'YYYY-MM-DD', a working day of the office. */
  date: string;
  /** The day the rule asked for, before moving off a closed day. */
  nominal: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Luxon weekday (1 = Monday) of a date of the proleptic Gregorian calendar. */
function weekdayOf(year: number, month: number, day: number): number {
  return ((new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7) + 1;
}

/**
 * The fixed days of "n times a month": the middle of each of n equal parts of a 28-day month, so they are the same
 * days every month (twice: the 8th and 22nd; four times: the 5th, 12th, 19th and 26th) and exist in February too.
 */
export function fixedDays(times: number): number[] {
  return Array.from({ length: times }, (_, i) => Math.round(((i + 0.5) * 28) / times) + 1);
}

function nominalDays(rule: Recurrence, year: number, month: number): number[] {
  switch (rule.kind) {
    case 'times_per_month':
      return fixedDays(rule.times);
    case 'range_per_month':
      return fixedDays(rule.min);
    case 'nth_weekday': {
      const matching: number[] = [];
      for (let d = 1; d <= daysIn(year, month); d++) if (weekdayOf(year, month, d) === rule.weekday) matching.push(d);
      const picked = rule.nth.map((n) => (n === -1 ? matching[matching.length - 1]! : matching[n - 1]!));
      return [...new Set(picked)].sort((a, b) => a - b);
    }
    default:
      throw new RangeError(`unknown recurrence: ${JSON.stringify(rule satisfies never)}`);
  }
}

/** 'YYYY-MM' → year and month, or a RangeError. */
export function parseMonth(text: string): { year: number; month: number } {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (!match) throw new RangeError(`expected a month 'YYYY-MM', got '${text}'`);
  return { year: Number(match[1]), month: Number(match[2]) };
}

/**
 * The occurrences of a plan in a month ('YYYY-MM'), in date order, each on a working day of the office and on a day of
 * its own. A month with fewer working days than occurrences gives as many as it has days for.
 */
export function occurrencesInMonth(rule: Recurrence, monthText: string, cal: OfficeCalendar): Occurrence[] {
  const { year, month } = parseMonth(monthText);
  const last = daysIn(year, month);
  const iso = (d: number) => `${year}-${pad(month)}-${pad(d)}`;
  const taken = new Set<number>();
  const free = (d: number) => !taken.has(d) && isWorkingDay(iso(d), cal);
  const out: Occurrence[] = [];
  // A slot is numbered by the rule's own order, never by the moved dates, so that a calendar correction that moves a
  // date keeps its slot (and so its one visit).
  for (const [index, nominal] of nominalDays(rule, year, month).entries()) {
    let day: number | undefined;
    for (let d = nominal; d <= last && day === undefined; d++) if (free(d)) day = d;
    for (let d = nominal - 1; d >= 1 && day === undefined; d--) if (free(d)) day = d;
    if (day === undefined) continue;
    taken.add(day);
    out.push({ slot: index + 1, date: iso(day), nominal: iso(nominal) });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

/** How many visits the rule asks for in a month, at least and at most: what "planned" counts. */
export function plannedRange(rule: Recurrence): { min: number; max: number } {
  switch (rule.kind) {
    case 'times_per_month':
      return { min: rule.times, max: rule.times };
    case 'range_per_month':
      return { min: rule.min, max: rule.max };
    case 'nth_weekday':
      return { min: new Set(rule.nth).size, max: new Set(rule.nth).size };
    default:
      throw new RangeError(`unknown recurrence: ${JSON.stringify(rule satisfies never)}`);
  }
}

/** The month 'YYYY-MM' a local date 'YYYY-MM-DD' falls in. */
export const monthOf = (date: string) => date.slice(0, 7);

/** End of office hours of a local working date 'YYYY-MM-DD' in the office zone: when a visit (or follow-up) is due. */
export function endOfWorkingDate(date: string, cal: OfficeCalendar): number {
  const noon = DateTime.fromISO(`${date}T12:00`, { zone: cal.zone });
  if (!noon.isValid) throw new RangeError(`expected a local date 'YYYY-MM-DD', got '${date}'`);
  return addWorkingDays(noon.toMillis(), 0, cal);
}

/** The team hears of a visit at the start of office hours of the working day before it, in the office zone. */
export function visitReminderInstant(date: string, cal: OfficeCalendar): number {
  return reminderInstant({ workingDays: 1, relativeTo: 'before_due' }, endOfWorkingDate(date, cal), cal);
}
