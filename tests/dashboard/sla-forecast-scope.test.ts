// Statutory SLA counted in working days across a holiday (through the engine's own activities and the seeded
// calendar), a forecast on a synthetic history with a known answer, and who sees which office's figures.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineActivities } from '../../activities/engine.js';
import { cohorts, offices, programmes, programmeVersions, quotas } from '../../db/schema.js';
import { halalRegular } from '../../domain/templates/index.js';
import { validateTemplate } from '../../domain/template.js';
import { addCalendarDay } from '../../services/calendar-change.js';
import { dashboard } from '../../services/dashboard.js';
import type { Principal } from '../../services/principal.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, kalselOffice } from '../helpers/fixtures.js';
import { DAY, managerOf, writeHistory } from './support.js';

describe('dashboard', () => {
  let database: TestDatabase;
  let kalsel: typeof offices.$inferSelect;
  let kaltim: typeof offices.$inferSelect;
  let manager: Principal;
  const admin: Principal = { userId: null, role: 'admin', officeId: null, businessId: null };

  beforeAll(async () => {
    database = await createTestDatabase();
    kalsel = await kalselOffice(database.db);
    kaltim = (await database.db.select().from(offices).where(eq(offices.regionCode, '64')))[0]!;
    manager = await managerOf(database.db, kalsel.id);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('counts a statutory limit in working days: 1 HK from the eve of Labour Day runs to the Monday after', async () => {
    const { db } = database;
    const engine = createEngineActivities({ database });
    const step = halalRegular.steps.find((s) => s.key === 'bpjph_verification')!;
    // Thursday 30 April 2026, 10:00 WITA; Friday 1 May is Labour Day, so the one working day is Monday 4 May.
    const openedAt = Date.parse('2026-04-30T02:00:00Z');
    const finishes = {
      // Monday 4 May, 15:00 WITA: four calendar days later, yet within one working day.
      onTime: Date.parse('2026-05-04T07:00:00Z'),
      // Tuesday 5 May, 09:00 WITA: the second working day.
      late: Date.parse('2026-05-05T01:00:00Z'),
    };
    for (const completedAt of Object.values(finishes)) {
      const business = await createBusiness(db, kalsel.id, { regionCode: '6372' });
      const enrolment = await createActiveEnrolment(db, halalRegular, business.id, kalsel.id);
      const timing = await engine.openStep({ enrolmentId: enrolment.id, step, visit: 1, openedAt });
      expect(new Date(timing.dueAt!).toISOString()).toBe('2026-05-04T08:00:00.000Z');
      await engine.closeStep({
        enrolmentId: enrolment.id,
        stepKey: step.key,
        visit: 1,
        outcome: 'complete',
        actorUserId: null,
        at: completedAt,
        next: 'lph_assignment',
      });
    }
    const d = await dashboard(db, manager, { year: 2026, regionCode: '6372' }, Date.parse('2026-06-01T00:00:00Z'));
    const sla = d.sla.steps.find((s) => s.stepKey === 'bpjph_verification')!;
    expect(sla).toMatchObject({ limitWorkingDays: 1, finished: 2, withinLimit: 1, share: 0.5 });
    expect(sla.months).toEqual([{ month: '2026-05', finished: 2, withinLimit: 1, share: 0.5 }]);
    expect(d.sla.late.total).toBe(1);
    expect(d.sla.late.items).toHaveLength(1);
    expect(d.sla.late.items[0]).toMatchObject({ stepKey: 'bpjph_verification', workingDaysTaken: 2 });

    // The office calendar is kept between requests; a correction reaches the next one. Closed on Monday 4 May, the
    // office took one working day (Tuesday) over the late case.
    await addCalendarDay(
      db,
      { requestId: 'closure', principal: manager },
      {
        date: '2026-05-04',
        kind: 'office_closure',
        nameId: 'Kantor tutup',
        nameEn: 'Office closed',
        officeId: kalsel.id,
      },
    );
    const corrected = await dashboard(
      db,
      manager,
      { year: 2026, regionCode: '6372' },
      Date.parse('2026-06-01T00:00:00Z'),
    );
    expect(corrected.sla.late.items[0]).toMatchObject({ stepKey: 'bpjph_verification', workingDaysTaken: 1 });
  });

  it('forecasts from observed step durations: a known history gives known dates, ranges and error', async () => {
    const { db } = database;
    const checked = validateTemplate({
      key: 'uji-ramalan',
      version: 1,
      name: { id: 'Uji ramalan', en: 'Forecast test' },
      description: { id: 'Tiga langkah', en: 'Three steps' },
      firstStep: 'a',
      steps: ['a', 'b', 'c'].map((key, i, all) => ({
        key,
        name: { id: `Langkah ${key}`, en: `Step ${key}` },
        actor: 'officer',
        scope: 'business',
        due: { kind: 'working_days', days: 20 },
        outcomes: [{ key: 'done', name: { id: 'Selesai', en: 'Done' }, next: all[i + 1] ?? null }],
      })),
    });
    if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
    await db.insert(programmes).values({ key: 'uji-ramalan', nameId: 'Uji ramalan', nameEn: 'Forecast test' });
    await db.insert(programmeVersions).values({ programmeKey: 'uji-ramalan', version: 1, template: checked.template });
    // Four finished cases: a took 2 days, b 2, 4, 6 or 8, c 6. Medians 2 + 4 + 6 = 12 days; the cases took
    // 10, 12, 14 and 16: a mean absolute error of (2 + 0 + 2 + 4) / 4 = 2 days.
    const start = Date.parse('2026-02-02T01:00:00Z');
    for (const b of [2, 4, 6, 8]) {
      const total = 2 + b + 6;
      const business = await createBusiness(db, kalsel.id, { regionCode: '6303' });
      await writeHistory(db, {
        businessId: business.id,
        officeId: kalsel.id,
        programmeKey: 'uji-ramalan',
        year: 2026,
        status: 'completed',
        activatedAt: start,
        completedAt: start + total * DAY,
        steps: [
          { stepKey: 'a', openedAt: start, dueAt: null, completedAt: start + 2 * DAY },
          { stepKey: 'b', openedAt: start + 2 * DAY, dueAt: null, completedAt: start + (2 + b) * DAY },
          { stepKey: 'c', openedAt: start + (2 + b) * DAY, dueAt: null, completedAt: start + total * DAY },
        ],
      });
    }
    // One open case, in step b for a day: b has 1, 2 or 3 (quartiles 2, 4, 6 less the day) to go, then c's 6.
    const now = Date.parse('2026-12-25T02:00:00Z');
    // A cohort of its own, so its forecast is this case's.
    const [cohort] = await db
      .insert(cohorts)
      .values({ officeId: kalsel.id, programmeKey: 'uji-ramalan', year: 2026, name: 'Kelompok Uji' })
      .returning();
    const open = await createBusiness(db, kalsel.id, { regionCode: '6303' });
    const openId = await writeHistory(db, {
      businessId: open.id,
      officeId: kalsel.id,
      programmeKey: 'uji-ramalan',
      year: 2026,
      status: 'active',
      cohortId: cohort!.id,
      activatedAt: now - 3 * DAY,
      steps: [
        { stepKey: 'a', openedAt: now - 3 * DAY, dueAt: null, completedAt: now - DAY },
        { stepKey: 'b', openedAt: now - DAY, dueAt: null, completedAt: null },
      ],
    });
    const d = await dashboard(db, manager, { year: 2026, programmeKey: 'uji-ramalan', regionCode: '6303' }, now);
    const steps = d.pipeline[0]!.steps;
    expect(steps.map((s) => [s.stepKey, s.days])).toEqual([
      ['a', { low: 2, median: 2, high: 2 }],
      ['b', { low: 2, median: 4, high: 6 }],
      ['c', { low: 6, median: 6, high: 6 }],
    ]);
    expect(d.forecasts.accuracy).toEqual([
      expect.objectContaining({
        programmeKey: 'uji-ramalan',
        forecastDays: 12,
        finishedCases: 4,
        meanAbsoluteErrorDays: 2,
      }),
    ]);
    // 25 December + 7, 9 and 11 days: all after the year's end, so the case is likely to miss it.
    expect(d.forecasts.atRisk).toEqual([
      expect.objectContaining({ enrolmentId: openId, low: '2027-01-01', expected: '2027-01-03', high: '2027-01-05' }),
    ]);
    expect(d.forecasts.likelyToMissYearEnd).toBe(1);
    // The cohort's forecast counts the step from its start: 4 + 6 days at the median.
    expect(d.forecasts.cohorts).toEqual([
      expect.objectContaining({
        name: 'Kelompok Uji',
        open: 1,
        low: '2027-01-02',
        expected: '2027-01-04',
        high: '2027-01-06',
      }),
    ]);
  });

  it('tells when a quota runs out at the pace so far', async () => {
    const { db } = database;
    const [quota] = await db
      .insert(quotas)
      .values({ programmeKey: 'halal-self-declare', year: 2026, officeId: kalsel.id, placesLimit: 10, placesUsed: 4 })
      .returning();
    // Four places taken in the first 100 days of 2026 (to 10 April): the 6 free last 150 more days at 0.04 a day.
    for (let i = 0; i < 4; i++) {
      const business = await createBusiness(db, kalsel.id);
      await writeHistory(db, {
        businessId: business.id,
        officeId: kalsel.id,
        programmeKey: 'halal-self-declare',
        year: 2026,
        status: 'active',
        quotaId: quota!.id,
        activatedAt: Date.parse('2026-01-05T02:00:00Z'),
        steps: [],
      });
    }
    const d = await dashboard(
      db,
      manager,
      { year: 2026, programmeKey: 'halal-self-declare' },
      Date.parse('2026-04-10T02:00:00Z'),
    );
    const q = d.quotas.find((x) => x.quotaId === quota!.id)!;
    expect(q).toMatchObject({ placesFree: 6, runsOutOn: '2026-09-07', runsOutBeforeYearEnd: true });
    expect(q.months[0]).toEqual({ month: '2026-01', taken: 4, cumulative: 4, evenPace: 1 });
  });

  it("shows a manager their own office only, and refuses another's", async () => {
    const { db } = database;
    const business = await createBusiness(db, kaltim.id, { regionCode: '6472' });
    await createActiveEnrolment(db, halalRegular, business.id, kaltim.id);
    const now = Date.parse('2026-06-01T00:00:00Z');
    const own = await dashboard(db, manager, { year: 2026 }, now);
    expect(own.filter.officeIds).toEqual([kalsel.id]);
    expect(own.regions.map((r) => r.regionCode)).not.toContain('6472');
    await expect(dashboard(db, manager, { year: 2026, officeId: kaltim.id }, now)).rejects.toMatchObject({
      kind: 'invalid',
      extra: { errors: [{ path: 'officeId' }] },
    });
    await expect(dashboard(db, manager, { year: 2026, regionCode: '6472' }, now)).rejects.toMatchObject({
      kind: 'invalid',
      extra: { errors: [{ path: 'regionCode' }] },
    });
    const officer: Principal = { ...manager, role: 'officer' };
    await expect(dashboard(db, officer, { year: 2026 }, now)).rejects.toMatchObject({ kind: 'forbidden' });
    const business2: Principal = { userId: null, role: 'business', officeId: null, businessId: business.id };
    await expect(dashboard(db, business2, { year: 2026 }, now)).rejects.toMatchObject({ kind: 'forbidden' });

    const everyOffice = await dashboard(db, admin, { year: 2026 }, now);
    expect(everyOffice.filter.officeIds).toEqual(expect.arrayContaining([kalsel.id, kaltim.id]));
    const kaltimOnly = await dashboard(db, admin, { year: 2026, officeId: kaltim.id, wilayah: 'II' }, now);
    expect(kaltimOnly.regions.map((r) => r.regionCode).sort()).toEqual(['6408', '6472', '6474'].sort());
    expect(kaltimOnly.regions.find((r) => r.regionCode === '6472')).toMatchObject({ registered: 1, enrolled: 1 });
    expect(kaltimOnly.wilayah).toEqual([expect.objectContaining({ provinceCode: '64', wilayah: 'II', registered: 1 })]);
  });
});
