// A visit plan's Temporal schedule on the dev server (the time-skipping server has no schedules), driven with
// backfill() and trigger(): every occurrence becomes one visit, whatever runs twice; pausing and resuming loses no
// future month and adds none; a plan change reaches the schedule.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { and, count, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import { visitPlans, visits, visitSites, visitTeam } from '../../db/schema.js';
import { occurrencesInMonth, type Recurrence } from '../../domain/visit-recurrence.js';
import { createSite } from '../../services/sites.js';
import {
  backfillVisitPlan,
  createVisitPlan,
  setVisitPlanStatus,
  updateVisitPlan,
  visitPlanScheduleId,
  type VisitPlanDeps,
} from '../../services/visits/plans.js';
import { visitPlanWorkflowType } from '../../workflows/visit-plan.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createUser, kalselOffice } from '../helpers/fixtures.js';
import { createDevServerEnv, createTestWorker } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const taskQueue = 'visit-plans-test';
const twice: Recurrence = { kind: 'times_per_month', times: 2 };

describe('visit plans run by Temporal schedules', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let deps: VisitPlanDeps;
  let officeId: string;
  let zone: string;
  let officer: { id: string };
  let source: { requestId: string; principal: { userId: string; role: 'officer'; officeId: string; businessId: null } };

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createDevServerEnv()]);
    const office = await kalselOffice(database.db);
    officeId = office.id;
    zone = office.timeZone;
    officer = await createUser(database.db, 'officer', officeId);
    source = {
      requestId: 'visit-plans-test',
      principal: { userId: officer.id, role: 'officer', officeId, businessId: null },
    };
    deps = { db: database.db, temporal: { client: env.client, taskQueue } };
    worker = await createTestWorker(env, { taskQueue, activities: createActivities({ database }) });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await database?.drop();
  });

  const visitsOf = (planId: string) =>
    database.db
      .select({ date: visits.date, slotKey: visits.slotKey, id: visits.id })
      .from(visits)
      .where(eq(visits.planId, planId))
      .orderBy(visits.date);

  /** Runs of the plan's schedule that have finished, as Temporal's visibility lists them. */
  async function finishedRuns(planId: string): Promise<number> {
    const query = `WorkflowType = '${visitPlanWorkflowType}' AND WorkflowId STARTS_WITH 'visit-plan-${planId}-run' AND ExecutionStatus = 'Completed'`;
    return (await env.client.workflow.count(query)).count;
  }

  async function expectedDates(recurrence: Recurrence, months: string[]): Promise<string[]> {
    const cal = await loadOfficeCalendar(database.db, officeId, DateTime.fromISO(`${months[0]}-15`).toMillis());
    return months.flatMap((m) => occurrencesInMonth(recurrence, m, cal).map((o) => o.date));
  }

  it('creates the visits of backfilled months once, with the team and sites, even when the backfill is asked twice', async () => {
    const site = await createSite(database.db, source, {
      kind: 'potential_area',
      name: 'Kawasan Industri Kecil Loa Bakung',
      regionCode: '6371',
      state: 'surveyed',
    });
    const plan = await createVisitPlan(deps, source, {
      name: 'Monev Samarinda',
      place: 'Kawasan Industri Kecil Loa Bakung',
      recurrence: twice,
      teamUserIds: [officer.id],
      siteIds: [site.id],
    });
    const months = ['2026-01', '2026-02', '2026-03'];
    const wanted = await expectedDates(twice, months);
    expect(wanted).toHaveLength(6);

    await backfillVisitPlan(deps, source, plan.id, { from: '2026-01', to: '2026-03' });
    await waitFor(async () => (await finishedRuns(plan.id)) === 3, { what: 'three monthly runs' });
    expect((await visitsOf(plan.id)).map((v) => v.date)).toEqual(wanted);

    // The same months again: three more runs, and not one visit more.
    await backfillVisitPlan(deps, source, plan.id, { from: '2026-01', to: '2026-03' });
    await waitFor(async () => (await finishedRuns(plan.id)) === 6, { what: 'the repeated runs to finish' });
    const after = await visitsOf(plan.id);
    expect(after.map((v) => v.date)).toEqual(wanted);
    expect(after.map((v) => v.slotKey)).toEqual([
      '2026-01#1',
      '2026-01#2',
      '2026-02#1',
      '2026-02#2',
      '2026-03#1',
      '2026-03#2',
    ]);
    const [team] = await database.db
      .select({ n: count() })
      .from(visitTeam)
      .innerJoin(visits, eq(visits.id, visitTeam.visitId))
      .where(and(eq(visits.planId, plan.id), eq(visitTeam.userId, officer.id)));
    expect(team!.n).toBe(6);
    // Each visit saw the plan's site, once: the site's history lists the six.
    const seen = await database.db
      .select({ visitId: visitSites.visitId })
      .from(visitSites)
      .where(eq(visitSites.siteId, site.id));
    expect(seen.map((v) => v.visitId).sort()).toEqual(after.map((v) => v.id).sort());
  });

  it('refuses a backfill into months that have not begun, or reversed, writing nothing', async () => {
    const plan = await createVisitPlan(deps, source, {
      name: 'Inventarisasi',
      place: 'Sentra Amplang',
      recurrence: { kind: 'range_per_month', min: 2, max: 4 },
      teamUserIds: [officer.id],
    });
    const next = DateTime.now().setZone(zone).plus({ months: 1 }).toFormat('yyyy-MM');
    await expect(backfillVisitPlan(deps, source, plan.id, { from: '2026-01', to: next })).rejects.toMatchObject({
      kind: 'invalid',
    });
    await expect(backfillVisitPlan(deps, source, plan.id, { from: '2026-03', to: '2026-01' })).rejects.toMatchObject({
      kind: 'invalid',
    });
    expect(await visitsOf(plan.id)).toEqual([]);
  });

  it('a trigger twice makes the current month once', async () => {
    const plan = await createVisitPlan(deps, source, {
      name: 'Monev bulanan',
      place: 'Sentra Sasirangan',
      recurrence: { kind: 'nth_weekday', weekday: 4, nth: [2, 4] },
      teamUserIds: [officer.id],
    });
    const handle = env.client.schedule.getHandle(plan.scheduleId);
    const month = DateTime.now().setZone(zone).toFormat('yyyy-MM');
    const wanted = await expectedDates(plan.recurrence, [month]);
    // A run of the current month may sleep until its reminders, so what is awaited is its first activity's end.
    const runsThatCreated = async () => {
      let n = 0;
      for await (const w of env.client.workflow.list({ query: `WorkflowId STARTS_WITH 'visit-plan-${plan.id}-run'` })) {
        const events = (await env.client.workflow.getHandle(w.workflowId, w.runId).fetchHistory()).events ?? [];
        if (events.some((e) => e.activityTaskCompletedEventAttributes)) n++;
      }
      return n;
    };
    const firstSecond = Math.floor(Date.now() / 1000);
    await handle.trigger();
    await waitFor(async () => (await runsThatCreated()) === 1, { what: 'the first run to create its visits' });
    // A run's workflow ID ends in its scheduled time to the second, and Temporal itself refuses a second run with the
    // ID of one still going: the second trigger comes in a later second, so that our own key is what is tested.
    await waitFor(() => Math.floor(Date.now() / 1000) > firstSecond + 1, { what: 'a later second' });
    await handle.trigger();
    await waitFor(async () => (await runsThatCreated()) === 2, { what: 'the second run' });
    expect((await visitsOf(plan.id)).map((v) => v.date)).toEqual(wanted);
  });

  it('pausing and resuming keeps the next month and adds no run; two officers at once leave both sides agreeing', async () => {
    const plan = await createVisitPlan(deps, source, {
      name: 'Monev pause',
      place: 'Kuin',
      recurrence: twice,
      teamUserIds: [officer.id],
    });
    const handle = env.client.schedule.getHandle(visitPlanScheduleId(plan.id));
    const before = await handle.describe();
    const firstOfNextMonth = DateTime.now().setZone(zone).startOf('month').plus({ months: 1, minutes: 5 });
    expect(before.info.nextActionTimes[0]!.getTime()).toBe(firstOfNextMonth.toMillis());
    expect(before.spec.timezone).toBe(zone);

    const paused = await setVisitPlanStatus(deps, source, plan.id, 'paused');
    expect(paused.status).toBe('paused');
    expect((await handle.describe()).state.paused).toBe(true);
    // Pausing again changes nothing.
    expect((await setVisitPlanStatus(deps, source, plan.id, 'paused')).status).toBe('paused');

    await setVisitPlanStatus(deps, source, plan.id, 'active');
    const resumed = await handle.describe();
    expect(resumed.state.paused).toBe(false);
    expect(resumed.info.nextActionTimes[0]!.getTime()).toBe(firstOfNextMonth.toMillis());
    expect(resumed.info.recentActions).toHaveLength(0);

    // Two officers at once, one pausing and one resuming, many times: the row lock orders them, so the plan's status
    // and the schedule's state always end the same.
    for (let i = 0; i < 5; i++) {
      await Promise.all([
        setVisitPlanStatus(deps, source, plan.id, 'paused'),
        setVisitPlanStatus(deps, source, plan.id, 'active'),
      ]);
      const [row] = await database.db.select().from(visitPlans).where(eq(visitPlans.id, plan.id));
      expect((await handle.describe()).state.paused).toBe(row!.status === 'paused');
    }
    expect((await handle.describe()).info.recentActions).toHaveLength(0);
  });

  it('a paused plan still backfills the months it missed, once', async () => {
    const plan = await createVisitPlan(deps, source, {
      name: 'Monev jeda',
      place: 'Alalak Tengah',
      recurrence: twice,
      teamUserIds: [officer.id],
    });
    await setVisitPlanStatus(deps, source, plan.id, 'paused');
    await backfillVisitPlan(deps, source, plan.id, { from: '2026-04', to: '2026-05' });
    await waitFor(async () => (await finishedRuns(plan.id)) === 2, { what: 'two runs while paused' });
    expect((await visitsOf(plan.id)).map((v) => v.date)).toEqual(await expectedDates(twice, ['2026-04', '2026-05']));
  });

  it('a change of the plan reaches its schedule, and other offices see no plan', async () => {
    const plan = await createVisitPlan(deps, source, {
      name: 'Monev ubah',
      place: 'Kuin Cerucuk',
      recurrence: twice,
      teamUserIds: [officer.id],
    });
    const updated = await updateVisitPlan(deps, source, plan.id, { place: 'Surgi Mufti' });
    expect(updated.place).toBe('Surgi Mufti');
    await backfillVisitPlan(deps, source, plan.id, { from: '2026-06', to: '2026-06' });
    await waitFor(async () => (await finishedRuns(plan.id)) === 1, { what: 'the June run' });
    const [june] = await database.db.select({ place: visits.place }).from(visits).where(eq(visits.planId, plan.id));
    expect(june!.place).toBe('Surgi Mufti');

    const elsewhere = {
      ...source,
      principal: { ...source.principal, officeId: '00000000-0000-4000-8000-000000000000' },
    };
    await expect(setVisitPlanStatus(deps, elsewhere, plan.id, 'paused')).rejects.toMatchObject({ kind: 'not-found' });
    expect((await env.client.schedule.getHandle(plan.scheduleId).describe()).state.paused).toBe(false);
  });
});
