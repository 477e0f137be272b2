// Working-day (hari kerja) arithmetic for legal limits and reminders.
// Pure and deterministic: no clock, no I/O, no node:* imports, because it runs in activities and inside the Temporal
// workflow sandbox, where the same inputs must always replay to the same instants.
//
// Conventions, shared by every function so that they stay consistent with each other:
// - A day is a local civil date in the office's zone. Counting starts on the day after the event ("≤ 15 HK" from
//   submission = due at the end of office hours of the 15th working day after the day of submission).
// - A due date is the end of office hours of a working day; a reminder goes out at the start of office hours.
// - Office hours are the half-open interval [start, end).
import { DateTime } from 'luxon';
import type { DueRule } from './types.js';

export interface OfficeCalendar {
  /** IANA zone of the office, e.g. 'Asia/Makassar' (WITA). Local dates and office hours are read in this zone. */
  zone: string;
  /** Local dates 'YYYY-MM-DD' the office is closed: national holidays, cuti bersama, office closures. */
  closedDates: ReadonlySet<string>;
  /** Local 'HH:mm'; offices without their own use DEFAULT_OFFICE_HOURS. */
  officeHours: { start: string; end: string };
  /** Luxon weekdays, 1 = Monday … 7 = Sunday; Monday to Friday when absent. */
  workWeek?: readonly number[];
}

export const DEFAULT_OFFICE_HOURS: Readonly<OfficeCalendar['officeHours']> = Object.freeze({
  start: '08:00',
  end: '16:00',
});

export const DEFAULT_WORK_WEEK: readonly number[] = Object.freeze([1, 2, 3, 4, 5]);

export interface ReminderOffset {
  workingDays: number;
  relativeTo: 'before_due' | 'on_due' | 'after_due';
}

const DAY_MS = 86_400_000;

// Bounds every day-by-day search: a calendar with no working day (empty work week, a closure list covering years)
// must fail loudly instead of looping forever inside a workflow.
const MAX_CLOSED_RUN = 366;

/** Days since 1970-01-01 of a local civil date; plain integers make day stepping cheap and DST-proof. */
type Day = number;

interface HourMinute {
  hour: number;
  minute: number;
}

interface Resolved {
  zone: string;
  closed: ReadonlySet<string>;
  /** Indexed by luxon weekday. */
  workWeek: readonly boolean[];
  start: HourMinute;
  end: HourMinute;
}

function resolve(cal: OfficeCalendar): Resolved {
  checkZone(cal.zone);
  const start = parseHourMinute(cal.officeHours.start);
  const end = parseHourMinute(cal.officeHours.end);
  if (start.hour * 60 + start.minute >= end.hour * 60 + end.minute) {
    throw new RangeError(`office hours must start before they end: ${cal.officeHours.start}–${cal.officeHours.end}`);
  }
  const workWeek = new Array<boolean>(8).fill(false);
  for (const weekday of cal.workWeek ?? DEFAULT_WORK_WEEK) {
    if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7) {
      throw new RangeError(`work week days are luxon weekdays 1..7, got ${weekday}`);
    }
    workWeek[weekday] = true;
  }
  return { zone: cal.zone, closed: cal.closedDates, workWeek, start, end };
}

function checkZone(zone: string): void {
  if (!DateTime.fromMillis(0, { zone }).isValid) throw new RangeError(`unknown time zone: ${zone}`);
}

function parseHourMinute(text: string): HourMinute {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) throw new RangeError(`office hours must be 'HH:mm', got '${text}'`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

// The range of a JavaScript Date; luxon yields an invalid DateTime (NaN fields) beyond it.
const MAX_INSTANT_MS = 8.64e15;

function checkInstant(ms: number, name: string): void {
  if (!(Math.abs(ms) <= MAX_INSTANT_MS)) throw new RangeError(`${name} must be epoch milliseconds, got ${ms}`);
}

function checkCount(n: number, name: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
}

function dayOf(ms: number, zone: string): Day {
  const local = DateTime.fromMillis(ms, { zone });
  return Date.UTC(local.year, local.month - 1, local.day) / DAY_MS;
}

function parseLocalDate(text: string): Day {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const day = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS : NaN;
  // Date.UTC silently rolls 2025-02-30 over to March; the round trip rejects it.
  if (!match || isoOf(day) !== text) throw new RangeError(`expected a local date 'YYYY-MM-DD', got '${text}'`);
  return day;
}

function isoOf(day: Day): string {
  const date = new Date(day * DAY_MS);
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const dayOfMonth = String(date.getUTCDate()).padStart(2, '0');
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${month}-${dayOfMonth}`;
}

/** Luxon weekday; 1970-01-01 was a Thursday (4). */
function weekdayOf(day: Day): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

function isWorking(day: Day, r: Resolved): boolean {
  return r.workWeek[weekdayOf(day)] === true && !r.closed.has(isoOf(day));
}

/** The first working day on or after `day`. */
function workingOnOrAfter(day: Day, r: Resolved): Day {
  for (let d = day; d < day + MAX_CLOSED_RUN; d++) if (isWorking(d, r)) return d;
  throw new RangeError(
    `no working day within ${MAX_CLOSED_RUN} days from ${isoOf(day)}: check work week and closed dates`,
  );
}

/** The last working day on or before `day`. */
function workingOnOrBefore(day: Day, r: Resolved): Day {
  for (let d = day; d > day - MAX_CLOSED_RUN; d--) if (isWorking(d, r)) return d;
  throw new RangeError(
    `no working day within ${MAX_CLOSED_RUN} days before ${isoOf(day)}: check work week and closed dates`,
  );
}

/** The n-th working day strictly after `day`; for n = 0, `day` itself or the next working day. */
function nthWorkingDayAfter(day: Day, n: number, r: Resolved): Day {
  if (n === 0) return workingOnOrAfter(day, r);
  let d = day;
  for (let i = 0; i < n; i++) d = workingOnOrAfter(d + 1, r);
  return d;
}

function instantAt(day: Day, time: HourMinute, zone: string): number {
  const date = new Date(day * DAY_MS);
  return DateTime.fromObject(
    { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), ...time },
    { zone },
  ).toMillis();
}

function officeStart(day: Day, r: Resolved): number {
  return instantAt(day, r.start, r.zone);
}

function officeEnd(day: Day, r: Resolved): number {
  return instantAt(day, r.end, r.zone);
}

/** The local date 'YYYY-MM-DD' of an instant in a zone. */
export function localDate(ms: number, zone: string): string {
  checkInstant(ms, 'ms');
  checkZone(zone);
  return isoOf(dayOf(ms, zone));
}

export function isWorkingDay(localDate: string, cal: OfficeCalendar): boolean {
  return isWorking(parseLocalDate(localDate), resolve(cal));
}

/**
 * End of office hours of the n-th working day strictly after the local date of `fromMs`.
 * n = 0: end of that same day if it is a working day (even if that instant is already past), else of the next one.
 */
export function addWorkingDays(fromMs: number, n: number, cal: OfficeCalendar): number {
  checkInstant(fromMs, 'fromMs');
  checkCount(n, 'n');
  const r = resolve(cal);
  return officeEnd(nthWorkingDayAfter(dayOf(fromMs, r.zone), n, r), r);
}

/**
 * Working days after the local date of `fromMs` whose office hours have ended by `toMs`; 0 when `toMs` is not later.
 * The day of `fromMs` itself never counts, for the same reason it does not count in addWorkingDays:
 * workingDaysBetween(from, addWorkingDays(from, n)) === n for every n >= 1.
 */
export function workingDaysBetween(fromMs: number, toMs: number, cal: OfficeCalendar): number {
  checkInstant(fromMs, 'fromMs');
  checkInstant(toMs, 'toMs');
  const r = resolve(cal);
  const last = dayOf(toMs, r.zone);
  let count = 0;
  for (let d = dayOf(fromMs, r.zone) + 1; d <= last; d++) {
    if (isWorking(d, r) && (d < last || officeEnd(d, r) <= toMs)) count++;
  }
  return count;
}

/** When a step opened (or resumed) at `fromMs` falls due. Calendar periods ending on a closed day roll forward. */
export function computeDue(rule: DueRule, fromMs: number, cal: OfficeCalendar): number {
  checkInstant(fromMs, 'fromMs');
  const r = resolve(cal);
  const from = dayOf(fromMs, r.zone);
  switch (rule.kind) {
    case 'working_days':
      return addWorkingDays(fromMs, rule.days, cal);
    case 'calendar_days':
      checkCount(rule.days, 'days');
      return officeEnd(workingOnOrAfter(from + rule.days, r), r);
    case 'calendar_months': {
      checkCount(rule.months, 'months');
      // Luxon clamps to the last day of a shorter month: 31 Jan + 1 month = 28 (or 29) Feb.
      const target = DateTime.fromMillis(from * DAY_MS, { zone: 'utc' }).plus({ months: rule.months });
      return officeEnd(workingOnOrAfter(target.toMillis() / DAY_MS, r), r);
    }
    default:
      throw new RangeError(`unknown due rule: ${JSON.stringify(rule satisfies never)}`);
  }
}

/** Working days left at `nowMs` before `dueMs`: what a pause keeps. */
export function remainingWorkingDays(nowMs: number, dueMs: number, cal: OfficeCalendar): number {
  return workingDaysBetween(nowMs, dueMs, cal);
}

/**
 * The due date after a pause: the clock stops while paused, so the working days left at the pause are counted
 * again from the resume, as if the step had been reopened then. With none left (paused on the due day itself),
 * the step is due at the end of the resume day, or of the next working day when the office is already closed at
 * the resume, so that a resume never makes a step overdue at once. A step already overdue when paused stays overdue.
 */
export function resumeDue(pausedAtMs: number, dueMs: number, resumedAtMs: number, cal: OfficeCalendar): number {
  checkInstant(pausedAtMs, 'pausedAtMs');
  checkInstant(dueMs, 'dueMs');
  checkInstant(resumedAtMs, 'resumedAtMs');
  if (resumedAtMs < pausedAtMs) throw new RangeError('a step cannot resume before it was paused');
  if (dueMs <= pausedAtMs) return dueMs;
  const left = remainingWorkingDays(pausedAtMs, dueMs, cal);
  return left === 0
    ? addWorkingDays(nextOfficeInstant(resumedAtMs, cal), 0, cal)
    : addWorkingDays(resumedAtMs, left, cal);
}

/** The earliest instant >= `ms` within office hours of a working day: reminders go out only then. */
export function nextOfficeInstant(ms: number, cal: OfficeCalendar): number {
  checkInstant(ms, 'ms');
  const r = resolve(cal);
  const day = dayOf(ms, r.zone);
  if (isWorking(day, r) && ms < officeEnd(day, r)) return Math.max(ms, officeStart(day, r));
  return officeStart(workingOnOrAfter(day + 1, r), r);
}

/**
 * Start of office hours of the day a reminder goes out. A due date that an officer set on a closed day is anchored
 * to the last working day before it, the last day the business can still act at the office.
 * on_due takes no offset; after_due 0 is the same as on_due.
 */
export function reminderInstant(offset: ReminderOffset, dueMs: number, cal: OfficeCalendar): number {
  checkInstant(dueMs, 'dueMs');
  checkCount(offset.workingDays, 'workingDays');
  const r = resolve(cal);
  const dueDay = dayOf(dueMs, r.zone);
  const anchor = workingOnOrBefore(dueDay, r);
  switch (offset.relativeTo) {
    case 'on_due':
      if (offset.workingDays !== 0) throw new RangeError('an on_due reminder takes workingDays 0');
      return officeStart(anchor, r);
    case 'before_due': {
      let d = anchor;
      for (let i = 0; i < offset.workingDays; i++) d = workingOnOrBefore(d - 1, r);
      return officeStart(d, r);
    }
    case 'after_due':
      return officeStart(offset.workingDays === 0 ? anchor : nthWorkingDayAfter(dueDay, offset.workingDays, r), r);
    default:
      throw new RangeError(`unknown reminder offset: ${JSON.stringify(offset.relativeTo satisfies never)}`);
  }
}
