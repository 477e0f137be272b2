import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  DEFAULT_OFFICE_HOURS,
  addWorkingDays,
  computeDue,
  isWorkingDay,
  localDate,
  nextOfficeInstant,
  reminderInstant,
  remainingWorkingDays,
  resumeDue,
  workingDaysBetween,
  type OfficeCalendar,
} from '../../domain/calendar.js';
import { fallbackClosedDates } from '../../domain/holiday-fallback.js';
import { decreedHolidays } from '../../db/seed/holidays.js';

const WITA = 'Asia/Makassar';
const WIB = 'Asia/Jakarta';
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const decreedDates: ReadonlySet<string> = new Set(decreedHolidays.flatMap((y) => y.entries.map((e) => e.date)));

const banjarmasin: OfficeCalendar = { zone: WITA, closedDates: decreedDates, officeHours: DEFAULT_OFFICE_HOURS };
const jakarta: OfficeCalendar = { ...banjarmasin, zone: WIB };

function withClosure(cal: OfficeCalendar, ...dates: string[]): OfficeCalendar {
  return { ...cal, closedDates: new Set([...cal.closedDates, ...dates]) };
}

/** Local wall-clock time in a zone, e.g. at('2025-03-27T10:00'). */
function at(local: string, zone = WITA): number {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new Error(`bad test time ${local}`);
  return dt.toMillis();
}

function officeBounds(ms: number, cal: OfficeCalendar): { start: number; end: number; date: string } {
  const date = localDate(ms, cal.zone);
  return {
    date,
    start: at(`${date}T${cal.officeHours.start}`, cal.zone),
    end: at(`${date}T${cal.officeHours.end}`, cal.zone),
  };
}

function inOfficeHours(ms: number, cal: OfficeCalendar): boolean {
  const { date, start, end } = officeBounds(ms, cal);
  return isWorkingDay(date, cal) && start <= ms && ms < end;
}

/** An independent reference: luxon day stepping, no shared code with the module under test. */
function referenceAddWorkingDays(fromMs: number, n: number, cal: OfficeCalendar): number {
  const workWeek = cal.workWeek ?? [1, 2, 3, 4, 5];
  const works = (d: DateTime): boolean => workWeek.includes(d.weekday) && !cal.closedDates.has(d.toISODate() ?? '');
  let day = DateTime.fromMillis(fromMs, { zone: cal.zone }).startOf('day');
  if (n === 0) {
    while (!works(day)) day = day.plus({ days: 1 });
  }
  for (let counted = 0; counted < n;) {
    day = day.plus({ days: 1 });
    if (works(day)) counted++;
  }
  const [hour, minute] = cal.officeHours.end.split(':').map(Number);
  return day.set({ hour, minute }).toMillis();
}

// Instants from 2025 to late 2026, so that every result stays inside the decreed years; one in three lands exactly on
// an office-hours boundary or a millisecond away from it, where off-by-one errors hide.
const FIRST_DAY = at('2025-01-01T00:00');
const DAYS = 637; // up to 2026-09-30
const boundaries = [0, 8 * HOUR_MS - 1, 8 * HOUR_MS, 16 * HOUR_MS - 1, 16 * HOUR_MS, 16 * HOUR_MS + 1, DAY_MS - 1];
const instant = fc
  .tuple(
    fc.integer({ min: 0, max: DAYS }),
    fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: DAY_MS - 1 }), weight: 2 },
      { arbitrary: fc.constantFrom(...boundaries), weight: 1 },
    ),
  )
  .map(([day, msOfDay]) => FIRST_DAY + day * DAY_MS + msOfDay); // WITA has no DST: a day is always 24 h
const count = fc.integer({ min: 0, max: 40 });
const positiveCount = fc.integer({ min: 1, max: 40 });
const runs = { numRuns: 200 };

describe('decreed holiday seed', () => {
  it('holds every decreed holiday and cuti bersama of 2025 and 2026, and nothing invented for 2027', () => {
    const perYear = decreedHolidays.map((y) => ({
      year: y.year,
      holidays: y.entries.filter((e) => e.kind === 'holiday').length,
      cutiBersama: y.entries.filter((e) => e.kind === 'cuti_bersama').length,
    }));
    expect(perYear).toEqual([
      { year: 2025, holidays: 17, cutiBersama: 10 },
      { year: 2026, holidays: 17, cutiBersama: 8 },
    ]);
    for (const y of decreedHolidays) {
      const dates = y.entries.map((e) => e.date);
      expect(new Set(dates).size).toBe(dates.length);
      for (const date of dates) {
        expect(date.startsWith(`${y.year}-`)).toBe(true);
        expect(DateTime.fromISO(date).isValid).toBe(true);
      }
    }
    expect(decreedDates.has('2025-04-01')).toBe(true); // Idulfitri, which date-holidays puts a day early
    expect(decreedDates.has('2026-03-24')).toBe(true); // cuti bersama, which no library knows
  });
});

describe('localDate and isWorkingDay', () => {
  it('reads the local date in the office zone', () => {
    const instantMs = Date.UTC(2025, 5, 30, 16, 30); // 23:30 WIB on Monday, 00:30 WITA on Tuesday
    expect(localDate(instantMs, WIB)).toBe('2025-06-30');
    expect(localDate(instantMs, WITA)).toBe('2025-07-01');
  });

  it('closes weekends, decreed holidays, cuti bersama and office closures', () => {
    expect(isWorkingDay('2025-03-31', banjarmasin)).toBe(false); // Idulfitri
    expect(isWorkingDay('2025-04-07', banjarmasin)).toBe(false); // cuti bersama on a Monday
    expect(isWorkingDay('2025-04-05', banjarmasin)).toBe(false); // Saturday
    expect(isWorkingDay('2025-04-08', banjarmasin)).toBe(true);
    expect(isWorkingDay('2025-04-08', withClosure(banjarmasin, '2025-04-08'))).toBe(false);
    expect(isWorkingDay('2025-04-12', { ...banjarmasin, workWeek: [1, 2, 3, 4, 5, 6] })).toBe(true);
  });

  it('rejects malformed dates and zones', () => {
    expect(() => isWorkingDay('2025-02-30', banjarmasin)).toThrow(RangeError);
    expect(() => isWorkingDay('2025-4-8', banjarmasin)).toThrow(RangeError);
    expect(() => localDate(0, 'Asia/Banjarmasin')).toThrow(RangeError);
  });
});

describe('addWorkingDays', () => {
  it('counts 15 HK across Idulfitri 2025 and its cuti bersama', () => {
    // Thursday 27 March; closed: 28 Mar (cuti Nyepi), 29 Mar (Nyepi), 31 Mar–1 Apr (Idulfitri), 2–4 and 7 Apr (cuti),
    // 18 Apr (Good Friday). Working days 1..15: 8–11, 14–17, 21–25, 28–29 April.
    expect(addWorkingDays(at('2025-03-27T10:00'), 15, banjarmasin)).toBe(at('2025-04-29T16:00'));
    // Counting weekends only would have made it due twelve days early.
    expect(addWorkingDays(at('2025-03-27T10:00'), 15, { ...banjarmasin, closedDates: new Set() })).toBe(
      at('2025-04-17T16:00'),
    );
    // The day of submission never counts, whatever the hour, and a submission on a closed day counts from the next day.
    expect(addWorkingDays(at('2025-03-27T23:59'), 15, banjarmasin)).toBe(at('2025-04-29T16:00'));
    expect(addWorkingDays(at('2025-03-28T09:00'), 15, banjarmasin)).toBe(at('2025-04-29T16:00'));
  });

  it('gives a WIB and a WITA office different due instants for the same submission instant', () => {
    const submitted = Date.UTC(2025, 5, 30, 16, 30); // Monday 23:30 in Jakarta, already Tuesday 00:30 in Banjarmasin
    expect(addWorkingDays(submitted, 1, jakarta)).toBe(Date.UTC(2025, 6, 1, 9, 0)); // Tue 1 Jul 16:00 WIB
    expect(addWorkingDays(submitted, 1, banjarmasin)).toBe(Date.UTC(2025, 6, 2, 8, 0)); // Wed 2 Jul 16:00 WITA
  });

  it('with n = 0 ends the same working day, or the next one', () => {
    expect(addWorkingDays(at('2025-04-08T17:30'), 0, banjarmasin)).toBe(at('2025-04-08T16:00'));
    // Christmas, then cuti bersama on Friday 26 December, then the weekend.
    expect(addWorkingDays(at('2025-12-25T09:00'), 0, banjarmasin)).toBe(at('2025-12-29T16:00'));
  });

  it('skips an office closure entered after the decree (18 August 2025)', () => {
    expect(addWorkingDays(at('2025-08-15T10:00'), 1, banjarmasin)).toBe(at('2025-08-18T16:00'));
    expect(addWorkingDays(at('2025-08-15T10:00'), 1, withClosure(banjarmasin, '2025-08-18'))).toBe(
      at('2025-08-19T16:00'),
    );
  });

  it("honours an office's own work week and hours", () => {
    const jayapura: OfficeCalendar = {
      zone: 'Asia/Jayapura',
      closedDates: decreedDates,
      officeHours: { start: '07:30', end: '15:30' },
      workWeek: [1, 2, 3, 4, 5, 6],
    };
    expect(addWorkingDays(at('2025-04-11T10:00', 'Asia/Jayapura'), 1, jayapura)).toBe(
      at('2025-04-12T15:30', 'Asia/Jayapura'),
    );
  });

  it('rejects bad counts, instants and calendars instead of looping', () => {
    const from = at('2025-04-08T10:00');
    for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => addWorkingDays(from, n, banjarmasin)).toThrow(RangeError);
    }
    expect(() => addWorkingDays(Number.NaN, 1, banjarmasin)).toThrow(RangeError);
    expect(() => addWorkingDays(from, 1, { ...banjarmasin, zone: 'WITA' })).toThrow(RangeError);
    expect(() => addWorkingDays(from, 1, { ...banjarmasin, officeHours: { start: '8:00', end: '16:00' } })).toThrow(
      RangeError,
    );
    expect(() => addWorkingDays(from, 1, { ...banjarmasin, officeHours: { start: '16:00', end: '08:00' } })).toThrow(
      RangeError,
    );
    expect(() => addWorkingDays(from, 1, { ...banjarmasin, workWeek: [0] })).toThrow(RangeError);
    expect(() => addWorkingDays(from, 1, { ...banjarmasin, workWeek: [] })).toThrow(RangeError);
  });

  it('agrees with a day-by-day reference, lands at office end of a working day after the start day', () => {
    fc.assert(
      fc.property(instant, count, fc.constantFrom(banjarmasin, jakarta), (from, n, cal) => {
        const due = addWorkingDays(from, n, cal);
        expect(due).toBe(referenceAddWorkingDays(from, n, cal));
        const { date, end } = officeBounds(due, cal);
        expect(isWorkingDay(date, cal)).toBe(true);
        expect(due).toBe(end);
        if (n >= 1) expect(date > localDate(from, cal.zone)).toBe(true);
      }),
      runs,
    );
  });

  it('is strictly increasing in n and never earlier for a later start', () => {
    fc.assert(
      fc.property(instant, instant, count, (a, b, n) => {
        // n = 0 and n = 1 coincide when the start day is closed: both end the next working day.
        const step = addWorkingDays(a, n + 1, banjarmasin) - addWorkingDays(a, n, banjarmasin);
        if (n === 0) expect(step).toBeGreaterThanOrEqual(0);
        else expect(step).toBeGreaterThan(0);
        const [early, late] = a <= b ? [a, b] : [b, a];
        expect(addWorkingDays(late, n, banjarmasin)).toBeGreaterThanOrEqual(addWorkingDays(early, n, banjarmasin));
      }),
      runs,
    );
  });
});

describe('workingDaysBetween', () => {
  it('counts working days whose office hours have ended', () => {
    const from = at('2025-03-27T10:00');
    expect(workingDaysBetween(from, at('2025-04-29T16:00'), banjarmasin)).toBe(15);
    expect(workingDaysBetween(from, at('2025-04-29T15:59'), banjarmasin)).toBe(14);
    expect(workingDaysBetween(from, at('2025-04-07T23:00'), banjarmasin)).toBe(0);
    expect(workingDaysBetween(from, from - DAY_MS, banjarmasin)).toBe(0);
  });

  it('inverts addWorkingDays', () => {
    fc.assert(
      fc.property(instant, positiveCount, fc.constantFrom(banjarmasin, jakarta), (from, n, cal) => {
        expect(workingDaysBetween(from, addWorkingDays(from, n, cal), cal)).toBe(n);
      }),
      runs,
    );
  });
});

describe('computeDue', () => {
  it('uses working days for working_days rules', () => {
    expect(computeDue({ kind: 'working_days', days: 15 }, at('2025-03-27T10:00'), banjarmasin)).toBe(
      at('2025-04-29T16:00'),
    );
  });

  it('rolls a calendar period ending on a closed day forward to the next working day', () => {
    // 17 August 2025 is a Sunday and Independence Day.
    expect(computeDue({ kind: 'calendar_days', days: 7 }, at('2025-08-10T10:00'), banjarmasin)).toBe(
      at('2025-08-18T16:00'),
    );
    expect(computeDue({ kind: 'calendar_days', days: 0 }, at('2025-04-08T10:00'), banjarmasin)).toBe(
      at('2025-04-08T16:00'),
    );
  });

  it('adds calendar months, clamping to the end of shorter months', () => {
    const oneMonth = { kind: 'calendar_months', months: 1 } as const;
    expect(computeDue(oneMonth, at('2025-01-31T10:00'), banjarmasin)).toBe(at('2025-02-28T16:00'));
    expect(computeDue(oneMonth, at('2028-01-31T10:00'), banjarmasin)).toBe(at('2028-02-29T16:00'));
    // 28 Feb 2026 is a Saturday.
    expect(computeDue(oneMonth, at('2026-01-31T10:00'), banjarmasin)).toBe(at('2026-03-02T16:00'));
    // 15 Feb 2026 is a Sunday, then cuti bersama and Imlek.
    expect(computeDue({ kind: 'calendar_months', months: 12 }, at('2025-02-15T10:00'), banjarmasin)).toBe(
      at('2026-02-18T16:00'),
    );
  });

  it('rejects negative periods', () => {
    expect(() => computeDue({ kind: 'calendar_days', days: -1 }, 0, banjarmasin)).toThrow(RangeError);
    expect(() => computeDue({ kind: 'calendar_months', months: 0.5 }, 0, banjarmasin)).toThrow(RangeError);
  });

  it('ends a calendar_days period on the first working day on or after the target date', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 60 }), (from, days) => {
        const due = computeDue({ kind: 'calendar_days', days }, from, banjarmasin);
        const target = DateTime.fromMillis(from, { zone: WITA }).startOf('day').plus({ days });
        const { date, end } = officeBounds(due, banjarmasin);
        expect(due).toBe(end);
        expect(isWorkingDay(date, banjarmasin)).toBe(true);
        for (let d = target; (d.toISODate() ?? '') < date; d = d.plus({ days: 1 })) {
          expect(isWorkingDay(d.toISODate() ?? '', banjarmasin)).toBe(false);
        }
      }),
      runs,
    );
  });
});

describe('pause and resume', () => {
  it('keeps the working days left at the pause', () => {
    // 10 HK from Monday 2 June 2025: Iduladha on 6 June and cuti bersama on 9 June do not count.
    const due = addWorkingDays(at('2025-06-02T09:00'), 10, banjarmasin);
    expect(due).toBe(at('2025-06-18T16:00'));
    const pausedAt = at('2025-06-05T11:00');
    expect(remainingWorkingDays(pausedAt, due, banjarmasin)).toBe(7);
    // Resumed Wednesday 25 June: 7 HK skip 1 Muharam (27 June) and the weekend.
    expect(resumeDue(pausedAt, due, at('2025-06-25T14:00'), banjarmasin)).toBe(at('2025-07-07T16:00'));
  });

  it('makes a step paused on its due day due at the end of the resume day', () => {
    const due = at('2025-06-18T16:00');
    expect(resumeDue(at('2025-06-18T10:00'), due, at('2025-06-23T09:00'), banjarmasin)).toBe(at('2025-06-23T16:00'));
    // Resumed on a Saturday, or after office hours: the office is closed, so the next working day ends it.
    expect(resumeDue(at('2025-06-18T10:00'), due, at('2025-06-21T09:00'), banjarmasin)).toBe(at('2025-06-23T16:00'));
    expect(resumeDue(at('2025-06-18T10:00'), due, at('2025-06-23T17:00'), banjarmasin)).toBe(at('2025-06-24T16:00'));
  });

  it('leaves an overdue step overdue and rejects a resume before the pause', () => {
    const due = at('2025-06-18T16:00');
    expect(resumeDue(at('2025-06-19T10:00'), due, at('2025-06-30T10:00'), banjarmasin)).toBe(due);
    expect(() => resumeDue(at('2025-06-10T10:00'), due, at('2025-06-09T10:00'), banjarmasin)).toThrow(RangeError);
  });

  it('stops the clock: the working days left are the same after the resume, and the due date only moves later', () => {
    fc.assert(
      fc.property(
        instant,
        positiveCount,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 60 * DAY_MS }),
        (openedAt, n, pausePoint, pauseLength) => {
          const due = addWorkingDays(openedAt, n, banjarmasin);
          const pausedAt = openedAt + Math.floor(pausePoint * (due - 1 - openedAt));
          const resumedAt = pausedAt + pauseLength;
          const left = remainingWorkingDays(pausedAt, due, banjarmasin);
          const newDue = resumeDue(pausedAt, due, resumedAt, banjarmasin);
          if (left === 0) {
            expect(newDue).toBe(officeBounds(nextOfficeInstant(resumedAt, banjarmasin), banjarmasin).end);
          } else {
            expect(remainingWorkingDays(resumedAt, newDue, banjarmasin)).toBe(left);
          }
          expect(newDue).toBeGreaterThan(resumedAt);
          expect(newDue).toBeGreaterThanOrEqual(due);
          expect(resumeDue(pausedAt, due, pausedAt, banjarmasin)).toBe(due);
        },
      ),
      runs,
    );
  });
});

describe('calendar corrections', () => {
  it('moves a pending due date later by exactly one working day when a closure is added before it', () => {
    fc.assert(
      fc.property(
        instant,
        positiveCount,
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (openedAt, n, k, nowPoint) => {
          const closureIndex = Math.min(k, n);
          const due = addWorkingDays(openedAt, n, banjarmasin);
          const closure = localDate(addWorkingDays(openedAt, closureIndex, banjarmasin), WITA);
          const corrected = withClosure(banjarmasin, closure);
          // "Now" is any instant before the closed day begins, so the correction is still in the future.
          const closureStartsAt = at(`${closure}T00:00`);
          const now = openedAt + Math.floor(nowPoint * (closureStartsAt - 1 - openedAt));

          const recomputed = addWorkingDays(now, remainingWorkingDays(now, due, banjarmasin), corrected);
          expect(recomputed).toBe(addWorkingDays(due, 1, corrected));
          expect(workingDaysBetween(due, recomputed, corrected)).toBe(1);
          expect(computeDue({ kind: 'working_days', days: n }, openedAt, corrected)).toBe(recomputed);
        },
      ),
      runs,
    );
  });
});

describe('nextOfficeInstant', () => {
  it('holds reminders until the office opens on a working day', () => {
    expect(nextOfficeInstant(at('2025-04-08T02:00'), banjarmasin)).toBe(at('2025-04-08T08:00'));
    expect(nextOfficeInstant(at('2025-04-08T10:15'), banjarmasin)).toBe(at('2025-04-08T10:15'));
    expect(nextOfficeInstant(at('2025-04-08T16:00'), banjarmasin)).toBe(at('2025-04-09T08:00'));
    expect(nextOfficeInstant(at('2025-04-12T10:00'), banjarmasin)).toBe(at('2025-04-14T08:00')); // Saturday
    expect(nextOfficeInstant(at('2025-03-28T10:00'), banjarmasin)).toBe(at('2025-04-08T08:00')); // Lebaran closure
  });

  it('uses the office zone: 07:30 in Jakarta is 08:30 in Banjarmasin', () => {
    const instantMs = at('2025-04-08T07:30', WIB);
    expect(nextOfficeInstant(instantMs, jakarta)).toBe(at('2025-04-08T08:00', WIB));
    expect(nextOfficeInstant(instantMs, banjarmasin)).toBe(instantMs);
  });

  it('returns the earliest office instant at or after the input, and is idempotent', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(banjarmasin, jakarta), (ms, cal) => {
        const sent = nextOfficeInstant(ms, cal);
        expect(sent).toBeGreaterThanOrEqual(ms);
        expect(inOfficeHours(sent, cal)).toBe(true);
        expect(nextOfficeInstant(sent, cal)).toBe(sent);
        if (inOfficeHours(ms, cal)) expect(sent).toBe(ms);
        else expect(sent).toBe(officeBounds(sent, cal).start);
      }),
      runs,
    );
  });
});

describe('reminderInstant', () => {
  const due = at('2025-04-29T16:00');

  it('sends reminders at office opening, counted in working days from the due day', () => {
    expect(reminderInstant({ workingDays: 3, relativeTo: 'before_due' }, due, banjarmasin)).toBe(
      at('2025-04-24T08:00'),
    );
    expect(reminderInstant({ workingDays: 0, relativeTo: 'on_due' }, due, banjarmasin)).toBe(at('2025-04-29T08:00'));
    expect(reminderInstant({ workingDays: 0, relativeTo: 'after_due' }, due, banjarmasin)).toBe(at('2025-04-29T08:00'));
    expect(reminderInstant({ workingDays: 2, relativeTo: 'after_due' }, due, banjarmasin)).toBe(at('2025-05-02T08:00')); // 1 May
    // One working day before 8 April 2025 is back before Lebaran.
    expect(reminderInstant({ workingDays: 1, relativeTo: 'before_due' }, at('2025-04-08T16:00'), banjarmasin)).toBe(
      at('2025-03-27T08:00'),
    );
  });

  it('anchors a due date set on a closed day to the last working day before it', () => {
    const easterSunday = at('2025-04-20T16:00');
    expect(reminderInstant({ workingDays: 0, relativeTo: 'on_due' }, easterSunday, banjarmasin)).toBe(
      at('2025-04-17T08:00'),
    );
    expect(reminderInstant({ workingDays: 1, relativeTo: 'after_due' }, easterSunday, banjarmasin)).toBe(
      at('2025-04-21T08:00'),
    );
  });

  it('rejects an offset on an on_due reminder and negative offsets', () => {
    expect(() => reminderInstant({ workingDays: 1, relativeTo: 'on_due' }, due, banjarmasin)).toThrow(RangeError);
    expect(() => reminderInstant({ workingDays: -1, relativeTo: 'before_due' }, due, banjarmasin)).toThrow(RangeError);
  });

  it('puts before_due and after_due reminders the given number of working days from the due day, in office hours', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 20, max: 40 }), fc.integer({ min: 0, max: 15 }), (openedAt, n, offset) => {
        const dueMs = addWorkingDays(openedAt, n, banjarmasin);
        const before = reminderInstant({ workingDays: offset, relativeTo: 'before_due' }, dueMs, banjarmasin);
        const after = reminderInstant({ workingDays: offset, relativeTo: 'after_due' }, dueMs, banjarmasin);
        expect(inOfficeHours(before, banjarmasin)).toBe(true);
        expect(inOfficeHours(after, banjarmasin)).toBe(true);
        expect(before).toBeLessThan(dueMs);
        expect(workingDaysBetween(before, dueMs, banjarmasin)).toBe(offset);
        expect(workingDaysBetween(dueMs, addWorkingDays(after, 0, banjarmasin), banjarmasin)).toBe(offset);
      }),
      runs,
    );
  });
});

describe('fallbackClosedDates', () => {
  it('lists library public holidays for an undecreed year, one per date, with Indonesian names', () => {
    const holidays = fallbackClosedDates(2027);
    const dates = holidays.map((h) => h.date);
    expect(dates).toEqual([...new Set(dates)].sort());
    expect(dates.every((d) => d.startsWith('2027-') && DateTime.fromISO(d).isValid)).toBe(true);
    expect(dates).toEqual(
      expect.arrayContaining(['2027-01-01', '2027-03-28', '2027-06-01', '2027-08-17', '2027-12-25']),
    );
    expect(holidays.find((h) => h.date === '2027-03-28')).toEqual({
      date: '2027-03-28',
      nameId: 'Kebangkitan Yesus Kristus (Paskah)',
      nameEn: 'Easter Sunday',
    });
    // The library's Indonesian name for Isra Mikraj is "Maulid Nabi Muhammad"; there must be one Maulid a year.
    expect(holidays.filter((h) => h.nameId.includes('Maulid'))).toHaveLength(1);
    expect(holidays.filter((h) => h.nameId.includes('Isra Mikraj')).length).toBeGreaterThanOrEqual(1);
  });

  it('rejects a non-year', () => {
    expect(() => fallbackClosedDates(2027.5)).toThrow(RangeError);
  });
});
