import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OFFICE_HOURS, isWorkingDay, type OfficeCalendar } from '../../domain/calendar.js';
import { fixedDays, occurrencesInMonth, recurrenceSchema, type Recurrence } from '../../domain/visit-recurrence.js';
import { decreedHolidays } from '../../db/seed/holidays.js';
import { visitReminderInstant } from '../../domain/visit-recurrence.js';

const decreed: ReadonlySet<string> = new Set(decreedHolidays.flatMap((y) => y.entries.map((e) => e.date)));
const samarinda: OfficeCalendar = { zone: 'Asia/Makassar', closedDates: decreed, officeHours: DEFAULT_OFFICE_HOURS };
const dates = (rule: Recurrence, month: string, cal = samarinda) =>
  occurrencesInMonth(rule, month, cal).map((o) => o.date);

describe('visit recurrence by calendar month', () => {
  it('puts "twice a month" and "four times a month" on fixed days that every month has', () => {
    expect(fixedDays(2)).toEqual([8, 22]);
    expect(fixedDays(4)).toEqual([5, 12, 19, 26]);
    expect(fixedDays(1)).toEqual([15]);
  });

  // April 2025: Idulfitri 31 Mar–1 Apr, cuti bersama 2, 3, 4 and 7 Apr, Good Friday 18 Apr, Easter Sunday 20 Apr.
  it('moves each date of April 2025 off Idulfitri, its cuti bersama, Good Friday and the weekends', () => {
    expect(dates({ kind: 'times_per_month', times: 2 }, '2025-04')).toEqual(['2025-04-08', '2025-04-22']);
    // 5 (Sat) → past Sunday and the cuti bersama of Monday 7 → Tuesday 8; 12 (Sat) → 14; 19 (Sat) → 21; 26 (Sat) → 28.
    expect(dates({ kind: 'times_per_month', times: 4 }, '2025-04')).toEqual([
      '2025-04-08',
      '2025-04-14',
      '2025-04-21',
      '2025-04-28',
    ]);
    // The 1st Thursday (3 Apr) is cuti bersama, and so are Friday 4 and Monday 7: Tuesday 8. The 3rd (17 Apr) stands.
    expect(dates({ kind: 'nth_weekday', weekday: 4, nth: [1, 3] }, '2025-04')).toEqual(['2025-04-08', '2025-04-17']);
    expect(dates({ kind: 'nth_weekday', weekday: 4, nth: [2, 4] }, '2025-04')).toEqual(['2025-04-10', '2025-04-24']);
    // The 3rd Friday is Good Friday: Monday 21.
    expect(dates({ kind: 'nth_weekday', weekday: 5, nth: [3] }, '2025-04')).toEqual(['2025-04-21']);
    // "2–4 times a month" plans its minimum on fixed days.
    expect(dates({ kind: 'range_per_month', min: 2, max: 4 }, '2025-04')).toEqual(['2025-04-08', '2025-04-22']);
  });

  it('moves a date back within its month when the month has no working day left after it', () => {
    // The last Friday of March 2025 is cuti bersama Nyepi (28), then a weekend and Idulfitri (31): Thursday 27.
    expect(dates({ kind: 'nth_weekday', weekday: 5, nth: [-1] }, '2025-03')).toEqual(['2025-03-27']);
  });

  it('follows an office closure entered by an officer', () => {
    const closed = { ...samarinda, closedDates: new Set([...decreed, '2026-05-08']) };
    expect(dates({ kind: 'times_per_month', times: 2 }, '2026-05')).toEqual(['2026-05-08', '2026-05-22']);
    expect(dates({ kind: 'times_per_month', times: 2 }, '2026-05', closed)).toEqual(['2026-05-11', '2026-05-22']);
  });

  it('reminds the team at the start of office hours of the working day before, in the office zone', () => {
    // Before Tuesday 8 April 2025 come cuti bersama (7, 4, 3, 2 Apr), Idulfitri (1 Apr, 31 Mar) and cuti bersama
    // Nyepi (28 Mar): the working day before is Thursday 27 March, 08:00 WITA = 00:00 UTC.
    expect(new Date(visitReminderInstant('2025-04-08', samarinda)).toISOString()).toBe('2025-03-27T00:00:00.000Z');
    const jakarta = { ...samarinda, zone: 'Asia/Jakarta' };
    expect(new Date(visitReminderInstant('2025-04-08', jakarta)).toISOString()).toBe('2025-03-27T01:00:00.000Z');
  });

  it('refuses a range whose minimum exceeds its maximum', () => {
    expect(recurrenceSchema.safeParse({ kind: 'range_per_month', min: 4, max: 2 }).success).toBe(false);
    expect(recurrenceSchema.safeParse({ kind: 'range_per_month', min: 2, max: 4 }).success).toBe(true);
  });

  const rules: fc.Arbitrary<Recurrence> = fc.oneof(
    fc.integer({ min: 1, max: 8 }).map((times) => ({ kind: 'times_per_month' as const, times })),
    fc.record({
      kind: fc.constant('nth_weekday' as const),
      weekday: fc.integer({ min: 1, max: 5 }),
      nth: fc.uniqueArray(fc.constantFrom(1, 2, 3, 4, -1) as fc.Arbitrary<1 | 2 | 3 | 4 | -1>, {
        minLength: 1,
        maxLength: 5,
      }),
    }),
    fc
      .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 4 }))
      .map(([min, extra]) => ({ kind: 'range_per_month' as const, min, max: Math.min(8, min + extra) })),
  );
  const months = fc
    .record({ year: fc.integer({ min: 2025, max: 2026 }), month: fc.integer({ min: 1, max: 12 }) })
    .map(({ year, month }) => `${year}-${String(month).padStart(2, '0')}`);
  const closures = fc.uniqueArray(fc.integer({ min: 1, max: 31 }), { maxLength: 8 });

  it('always gives distinct working days of the month, in order, with stable slots', () => {
    fc.assert(
      fc.property(rules, months, closures, (rule, month, closedDays) => {
        const cal = {
          ...samarinda,
          closedDates: new Set([...decreed, ...closedDays.map((d) => `${month}-${String(d).padStart(2, '0')}`)]),
        };
        const got = occurrencesInMonth(rule, month, cal);
        const days = got.map((o) => o.date);
        expect(new Set(days).size).toBe(days.length);
        expect([...days].sort()).toEqual(days);
        for (const o of got) {
          expect(o.date.startsWith(month)).toBe(true);
          expect(isWorkingDay(o.date, cal)).toBe(true);
          // A date that was already a free working day never moves.
          if (isWorkingDay(o.nominal, cal) && !got.some((p) => p !== o && p.date === o.nominal)) {
            expect(o.date).toBe(o.nominal);
          }
        }
        expect(new Set(got.map((o) => o.slot)).size).toBe(got.length);
        // Each month has more working days than a plan asks for, so nothing is dropped.
        const wanted = rule.kind === 'times_per_month' ? rule.times : rule.kind === 'range_per_month' ? rule.min : null;
        if (wanted !== null) expect(got).toHaveLength(wanted);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same dates whatever zone the office is in: they are local dates', () => {
    fc.assert(
      fc.property(
        rules,
        months,
        fc.constantFrom('Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'),
        (rule, month, zone) => {
          expect(dates(rule, month, { ...samarinda, zone })).toEqual(dates(rule, month));
          const reminder = DateTime.fromMillis(visitReminderInstant(dates(rule, month)[0]!, { ...samarinda, zone }), {
            zone,
          });
          expect(reminder.toFormat('HH:mm')).toBe('08:00');
          expect(reminder.toISODate()! < dates(rule, month)[0]!).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
