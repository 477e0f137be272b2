// The visit plans page (/visits/plans) on an app whose Temporal is the dev server (the time-skipping server has no
// schedules), driven with app.inject as a signed-in officer: the page lists the office's plans; its forms pause,
// resume, backfill, create and change plans through the JSON routes, a double submit acting once; a bad month, an empty
// name, or a team member or site of another office is refused beside its field with nothing changed; another office's
// plan is 404; the sites a plan's visits see are chosen from the office's inventory and shown with the plan.
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { and, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import { createActivities } from '../../activities/index.js';
import { formatDate } from '../../api/pages/i18n.js';
import type { App } from '../../api/app.js';
import { auditLog, offices, visitPlans, visits } from '../../db/schema.js';
import { occurrencesInMonth, type Recurrence } from '../../domain/visit-recurrence.js';
import { createSite } from '../../services/sites.js';
import { createVisitPlan, type VisitPlanDeps } from '../../services/visits/plans.js';
import { visitPlanWorkflowType } from '../../workflows/visit-plan.js';
import { buildTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createToken, createUser, kalselOffice } from '../helpers/fixtures.js';
import { createDevServerEnv, createTestWorker } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const taskQueue = 'visit-plan-pages-test';
const csrf = 'c'.repeat(32);

describe('the visit plans page', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let app: App;
  let deps: VisitPlanDeps;
  let officeId: string;
  let officer: { id: string; name: string };
  let cookie: string;

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createDevServerEnv()]);
    officeId = (await kalselOffice(database.db)).id;
    officer = await createUser(database.db, 'officer', officeId);
    cookie = `pdp_session=${await createToken(database.db, officer.id)}; pdp_csrf=${csrf}`;
    deps = { db: database.db, temporal: { client: env.client, taskQueue } };
    worker = await createTestWorker(env, { taskQueue, activities: createActivities({ database }) });
    running = worker.run();
    app = await buildTestApp({ database, temporal: env.client, taskQueue });
  });

  afterAll(async () => {
    await app?.close();
    worker?.shutdown();
    await running;
    await env?.teardown();
    await database?.drop();
  });

  const source = () => ({
    requestId: 'plan-pages-test',
    principal: { userId: officer.id, role: 'officer' as const, officeId, businessId: null },
  });
  const newPlan = (name: string) =>
    createVisitPlan(deps, source(), {
      name,
      place: 'Sentra Sasirangan',
      recurrence: { kind: 'nth_weekday', weekday: 4, nth: [2, 4] },
      teamUserIds: [officer.id],
    });
  const page = () => app.inject({ method: 'GET', url: '/visits/plans', headers: { cookie } });
  const post = (url: string, form: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
    });
  /** A form with repeated fields (checkboxes), in the order given. */
  const postPairs = (url: string, pairs: [string, string][]) =>
    app.inject({
      method: 'POST',
      url,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams([['_csrf', csrf], ...pairs]).toString(),
    });
  const plansNamed = (name: string) => database.db.select().from(visitPlans).where(eq(visitPlans.name, name));
  /** The next three dates a plan's coming runs make, as the page shows them. */
  const comingDates = async (rule: Recurrence) => {
    const cal = await loadOfficeCalendar(database.db, officeId, Date.now());
    const thisMonth = DateTime.now().setZone(cal.zone).startOf('month');
    return [1, 2, 3]
      .flatMap((m) => occurrencesInMonth(rule, thisMonth.plus({ months: m }).toFormat('yyyy-MM'), cal))
      .slice(0, 3)
      .map((o) => formatDate(o.date, 'id'));
  };
  const shownDates = (body: string, planId: string) => {
    const section = body.slice(body.indexOf(`id="plan-${planId.slice(0, 8)}"`));
    return section.match(/Tanggal berikutnya<\/dt>\s*<dd>([^<]*)<\/dd>/)![1]!.split('; ');
  };
  const scheduleState = async (scheduleId: string) =>
    (await env.client.schedule.getHandle(scheduleId).describe()).state.paused;
  const statusOf = async (id: string) =>
    (await database.db.select({ s: visitPlans.status }).from(visitPlans).where(eq(visitPlans.id, id)))[0]!.s;
  const visitCount = async (planId: string) =>
    (await database.db.select({ id: visits.id }).from(visits).where(eq(visits.planId, planId))).length;
  /** How often the plan's action was recorded: once per act, not per submit. */
  const audited = async (planId: string, action: string) =>
    (
      await database.db
        .select({ id: auditLog.id })
        .from(auditLog)
        .where(and(eq(auditLog.entityId, planId), eq(auditLog.action, action)))
    ).length;
  const finishedRuns = async (planId: string) =>
    (
      await env.client.workflow.count(
        `WorkflowType = '${visitPlanWorkflowType}' AND WorkflowId STARTS_WITH 'visit-plan-${planId}-run' AND ExecutionStatus = 'Completed'`,
      )
    ).count;

  it('lists the plan with its recurrence in words, team, status and next dates, linked from the calendar', async () => {
    const plan = await newPlan('Monev sasirangan');
    const calendar = await app.inject({ method: 'GET', url: '/visits', headers: { cookie } });
    expect(calendar.body).toContain('href="/visits/plans"');
    const answer = await page();
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('Monev sasirangan');
    expect(answer.body).toContain('Kamis ke-2 dan ke-4 setiap bulan');
    expect(answer.body).toContain(officer.name);
    expect(answer.body).toContain('Aktif');
    expect(answer.body).toContain(`action="/visits/plans/${plan.id}/pause"`);
    // The next three dates its schedule's coming runs make (a Thursday moved off a holiday stays moved).
    const cal = await loadOfficeCalendar(database.db, officeId, Date.now());
    const thisMonth = DateTime.now().setZone(cal.zone).startOf('month');
    const coming = [1, 2, 3]
      .flatMap((m) => occurrencesInMonth(plan.recurrence, thisMonth.plus({ months: m }).toFormat('yyyy-MM'), cal))
      .slice(0, 3)
      .map((o) => formatDate(o.date, 'id'));
    const shown = answer.body.match(/Tanggal berikutnya<\/dt>\s*<dd>([^<]*)<\/dd>/)![1]!;
    expect(shown.split('; ')).toEqual(coming);

    const english = await app.inject({
      method: 'GET',
      url: '/visits/plans',
      headers: { cookie: `${cookie}; pdp_lang=en` },
    });
    expect(english.body).toContain('the 2nd and 4th Thursday of each month');
  });

  it('pauses and resumes through the page: the plan and its schedule agree, a double submit acts once', async () => {
    const plan = await newPlan('Monev jeda');
    const key = 'pause-key-0123456789abcdef';
    const [first, second] = await Promise.all([
      post(`/visits/plans/${plan.id}/pause`, { idempotencyKey: key }),
      post(`/visits/plans/${plan.id}/pause`, { idempotencyKey: key }),
    ]);
    expect([first.statusCode, second.statusCode]).toEqual([303, 303]);
    expect(await statusOf(plan.id)).toBe('paused');
    expect(await scheduleState(plan.scheduleId)).toBe(true);
    expect(await audited(plan.id, 'visit_plan.pause')).toBe(1);
    const paused = await page();
    expect(paused.body).toContain(`action="/visits/plans/${plan.id}/resume"`);
    expect(paused.body).toContain('tidak ada sampai dilanjutkan');

    const resumed = await post(`/visits/plans/${plan.id}/resume`, { idempotencyKey: 'resume-key-0123456789abcdef' });
    expect(resumed.statusCode).toBe(303);
    expect(await statusOf(plan.id)).toBe('active');
    expect(await scheduleState(plan.scheduleId)).toBe(false);
  });

  it('backfills missed months through the page once; a second identical post creates none', async () => {
    const plan = await newPlan('Monev susulan');
    const form = { from: '2026-01', to: '2026-02', idempotencyKey: 'backfill-key-0123456789abcdef' };
    const [first, second] = await Promise.all([
      post(`/visits/plans/${plan.id}/backfill`, form),
      post(`/visits/plans/${plan.id}/backfill`, form),
    ]);
    expect([first.statusCode, second.statusCode]).toEqual([303, 303]);
    await waitFor(async () => (await finishedRuns(plan.id)) === 2, { what: 'the two monthly runs' });
    expect(await visitCount(plan.id)).toBe(4);
    expect(await audited(plan.id, 'visit_plan.backfill')).toBe(1);

    // The same months again with a fresh form: the runs find their visits made, and add none.
    const again = await post(`/visits/plans/${plan.id}/backfill`, {
      ...form,
      idempotencyKey: 'backfill-key-again-0123456789',
    });
    expect(again.statusCode).toBe(303);
    await waitFor(async () => (await finishedRuns(plan.id)) === 4, { what: 'the repeated runs' });
    expect(await visitCount(plan.id)).toBe(4);
  });

  it('shows a bad month beside its field and changes nothing', async () => {
    const plan = await newPlan('Monev salah');
    const malformed = await post(`/visits/plans/${plan.id}/backfill`, { from: '2026-13', to: '2026-01' });
    expect(malformed.statusCode).toBe(400);
    const anchor = `f-plan-${plan.id.slice(0, 8)}-from`;
    expect(malformed.body).toMatch(new RegExp(`<p class="error-message" id="${anchor}-error">[^<]*YYYY-MM`));
    expect(malformed.body).toContain('value="2026-13"');

    const reversed = await post(`/visits/plans/${plan.id}/backfill`, { from: '2026-03', to: '2026-01' });
    expect(reversed.statusCode).toBe(400);
    expect(reversed.body).toMatch(
      new RegExp(`id="f-plan-${plan.id.slice(0, 8)}-to-error">harus sama atau setelah from`),
    );
    expect(await finishedRuns(plan.id)).toBe(0);
    expect(await visitCount(plan.id)).toBe(0);
    const described = await env.client.schedule.getHandle(plan.scheduleId).describe();
    expect(described.info.recentActions).toHaveLength(0);
  });

  it('shows the scheduler unreachable (503) beside the form, and changes nothing', async () => {
    const plan = await newPlan('Monev tanpa penjadwal');
    // A client whose connection is closed: every call to Temporal fails at once, as when the server is down.
    const connection = await Connection.connect({ address: env.connection.options.address });
    await connection.close();
    const cut = await buildTestApp({ database, temporal: new Client({ connection }), taskQueue });
    try {
      const posted = (url: string, form: Record<string, string>) =>
        cut.inject({
          method: 'POST',
          url,
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
        });
      const paused = await posted(`/visits/plans/${plan.id}/pause`, {});
      expect(paused.statusCode).toBe(503);
      expect(paused.body).toMatch(/<p class="error-message" role="alert">Penjadwal \(Temporal\) tidak dapat dihubungi/);
      const backfilled = await posted(`/visits/plans/${plan.id}/backfill`, { from: '2026-01', to: '2026-01' });
      expect(backfilled.statusCode).toBe(503);
      expect(backfilled.body).toContain('Penjadwal (Temporal) tidak dapat dihubungi');
      expect(backfilled.body).toContain('value="2026-01"');
    } finally {
      await cut.close();
    }
    expect(await statusOf(plan.id)).toBe('active');
    expect(await scheduleState(plan.scheduleId)).toBe(false);
    expect(await visitCount(plan.id)).toBe(0);
  });

  it("answers 404 for another office's plan, and does not list it", async () => {
    const [other] = await database.db
      .insert(offices)
      .values({ name: 'Disperin lain', level: 'kota', regionCode: '6371', timeZone: 'Asia/Makassar' })
      .returning();
    const theirOfficer = await createUser(database.db, 'officer', other!.id);
    const theirs = await createVisitPlan(
      deps,
      {
        requestId: 'other',
        principal: { userId: theirOfficer.id, role: 'officer', officeId: other!.id, businessId: null },
      },
      {
        name: 'Rencana kantor lain',
        place: 'Banjarbaru',
        recurrence: { kind: 'times_per_month', times: 2 },
        teamUserIds: [theirOfficer.id],
      },
    );
    expect((await page()).body).not.toContain('Rencana kantor lain');
    for (const action of ['pause', 'backfill']) {
      const answer = await post(`/visits/plans/${theirs.id}/${action}`, { from: '2026-01', to: '2026-01' });
      expect(answer.statusCode).toBe(404);
    }
    expect(await statusOf(theirs.id)).toBe('active');
    expect(await scheduleState(theirs.scheduleId)).toBe(false);
  });

  it('creates a plan through the page with its schedule; a double submit with the same key creates one', async () => {
    const empty = await page();
    expect(empty.body).toContain('action="/visits/plans"');
    expect(empty.body).toContain('<label for="f-new-name">Nama rencana</label>');
    expect(empty.body).toContain(`name="teamUserIds" value="${officer.id}"`);
    const form: [string, string][] = [
      ['idempotencyKey', 'create-key-0123456789abcdef'],
      ['name', 'Monev baru lewat halaman'],
      ['place', 'Sentra Purun'],
      ['kind', 'nth_weekday'],
      ['times', ''],
      ['weekday', '2'],
      ['nth', '1'],
      ['nth', '-1'],
      ['min', ''],
      ['max', ''],
      ['teamUserIds', officer.id],
    ];
    const [first, second] = await Promise.all([postPairs('/visits/plans', form), postPairs('/visits/plans', form)]);
    expect([first.statusCode, second.statusCode]).toEqual([303, 303]);
    const made = await plansNamed('Monev baru lewat halaman');
    expect(made).toHaveLength(1);
    const plan = made[0]!;
    expect(plan).toMatchObject({
      place: 'Sentra Purun',
      recurrence: { kind: 'nth_weekday', weekday: 2, nth: [1, -1] },
      teamUserIds: [officer.id],
      status: 'active',
    });
    expect(await audited(plan.id, 'visit_plan.create')).toBe(1);
    expect(await scheduleState(`visit-plan-${plan.id}`)).toBe(false);
    const listed = await page();
    expect(listed.body).toContain('Selasa ke-1 dan terakhir setiap bulan');
    expect(shownDates(listed.body, plan.id)).toEqual(
      await comingDates({ kind: 'nth_weekday', weekday: 2, nth: [1, -1] }),
    );
  });

  it("changes a plan's recurrence through the page: the plan and its next dates follow, a double submit acts once", async () => {
    const plan = await newPlan('Monev ubah');
    const before = await page();
    expect(before.body).toContain(`action="/visits/plans/${plan.id}/change"`);
    // The change form shows the plan as it is.
    const prefix = `f-plan-${plan.id.slice(0, 8)}`;
    expect(before.body).toMatch(new RegExp(`id="${prefix}-name" name="name" type="text" value="Monev ubah"`));
    expect(before.body).toMatch(new RegExp(`id="${prefix}-nth-1" name="nth" value="2" checked`));
    const form: [string, string][] = [
      ['idempotencyKey', 'change-key-0123456789abcdef'],
      ['name', 'Monev ubah'],
      ['place', 'Sentra Sasirangan'],
      ['kind', 'times_per_month'],
      ['times', '4'],
      ['weekday', '4'],
      ['nth', '2'],
      ['teamUserIds', officer.id],
    ];
    const [first, second] = await Promise.all([
      postPairs(`/visits/plans/${plan.id}/change`, form),
      postPairs(`/visits/plans/${plan.id}/change`, form),
    ]);
    expect([first.statusCode, second.statusCode]).toEqual([303, 303]);
    const [row] = await plansNamed('Monev ubah');
    expect(row!.recurrence).toEqual({ kind: 'times_per_month', times: 4 });
    expect(await audited(plan.id, 'visit_plan.update')).toBe(1);
    const after = await page();
    const section = after.body.slice(after.body.indexOf(`id="plan-${plan.id.slice(0, 8)}"`));
    expect(section).toContain('4 kali sebulan');
    expect(shownDates(after.body, plan.id)).toEqual(await comingDates({ kind: 'times_per_month', times: 4 }));
    expect(await scheduleState(plan.scheduleId)).toBe(false);
  });

  it('shows an empty name or a team member of another office beside its field, keeps the typed values, changes nothing', async () => {
    const plan = await newPlan('Monev tetap');
    const prefix = `f-plan-${plan.id.slice(0, 8)}`;
    const noName = await postPairs(`/visits/plans/${plan.id}/change`, [
      ['name', ''],
      ['place', 'Pasar Terapung'],
      ['kind', 'times_per_month'],
      ['times', '3'],
      ['teamUserIds', officer.id],
    ]);
    expect(noName.statusCode).toBe(400);
    expect(noName.body).toMatch(new RegExp(`<p class="error-message" id="${prefix}-name-error">[^<]+</p>`));
    expect(noName.body).toContain(`id="${prefix}-place" name="place" type="text" value="Pasar Terapung"`);
    expect(noName.body).toContain(`id="${prefix}-times" name="times" type="text" value="3"`);

    const [other] = await database.db
      .insert(offices)
      .values({ name: 'Disperin seberang', level: 'kota', regionCode: '6372', timeZone: 'Asia/Makassar' })
      .returning();
    const stranger = await createUser(database.db, 'officer', other!.id);
    const foreignTeam = await postPairs(`/visits/plans/${plan.id}/change`, [
      ['name', 'Monev tetap diubah'],
      ['place', 'Sentra Sasirangan'],
      ['kind', 'times_per_month'],
      ['times', '2'],
      ['teamUserIds', officer.id],
      ['teamUserIds', stranger.id],
    ]);
    expect(foreignTeam.statusCode).toBe(400);
    expect(foreignTeam.body).toMatch(
      new RegExp(
        `<p class="error-message" id="${prefix}-teamUserIds-error">bukan petugas aktif kantor ini[^<]*${stranger.id}`,
      ),
    );
    expect(foreignTeam.body).toContain('value="Monev tetap diubah"');
    // Another office's officer is never offered as a choice.
    expect(foreignTeam.body).not.toContain(`name="teamUserIds" value="${stranger.id}"`);

    const created = await postPairs('/visits/plans', [
      ['name', 'Rencana dengan orang luar'],
      ['place', 'Sentra Purun'],
      ['kind', 'range_per_month'],
      ['min', '2'],
      ['max', '4'],
      ['teamUserIds', stranger.id],
    ]);
    expect(created.statusCode).toBe(400);
    expect(created.body).toMatch(/<p class="error-message" id="f-new-teamUserIds-error">bukan petugas aktif/);
    expect(created.body).toContain('id="f-new-name" name="name" type="text" value="Rencana dengan orang luar"');
    expect(created.body).toContain('<option value="range_per_month" selected>');

    const [row] = await plansNamed('Monev tetap');
    expect(row).toMatchObject({ recurrence: plan.recurrence, place: 'Sentra Sasirangan', teamUserIds: [officer.id] });
    expect(await audited(plan.id, 'visit_plan.update')).toBe(0);
    expect(await plansNamed('Rencana dengan orang luar')).toHaveLength(0);
  });

  it("offers the office's sites for a plan's visits, shows those chosen, and refuses another office's beside the field", async () => {
    const own = await createSite(database.db, source(), {
      kind: 'potential_area',
      name: 'Kawasan Industri Batulicin',
      regionCode: '6310',
      state: 'surveyed',
    });
    const [kaltim] = await database.db.select().from(offices).where(eq(offices.regionCode, '64'));
    const outsider = await createUser(database.db, 'officer', kaltim!.id);
    const foreign = await createSite(
      database.db,
      {
        requestId: 'plan-pages-test',
        principal: { userId: outsider.id, role: 'officer', officeId: kaltim!.id, businessId: null },
      },
      { kind: 'idle_factory', name: 'Eks pabrik kayu Samarinda', regionCode: '6472', state: 'idle' },
    );
    const plan = await newPlan('Monev kawasan');
    const prefix = `f-plan-${plan.id.slice(0, 8)}`;
    const offered = await page();
    expect(offered.body).toContain(`name="siteIds" value="${own.id}"`);
    expect(offered.body).not.toContain(foreign.id);

    const fields: [string, string][] = [
      ['name', 'Monev kawasan'],
      ['place', 'Batulicin'],
      ['kind', 'times_per_month'],
      ['times', '2'],
      ['teamUserIds', officer.id],
    ];
    const refused = await postPairs(`/visits/plans/${plan.id}/change`, [...fields, ['siteIds', foreign.id]]);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(
      new RegExp(
        `<p class="error-message" id="${prefix}-siteIds-error">tidak ada di inventaris kantor ini[^<]*${foreign.id}`,
      ),
    );
    expect(await audited(plan.id, 'visit_plan.update')).toBe(0);

    const changed = await postPairs(`/visits/plans/${plan.id}/change`, [...fields, ['siteIds', own.id]]);
    expect(changed.statusCode).toBe(303);
    const [row] = await plansNamed('Monev kawasan');
    expect(row!.siteIds).toEqual([own.id]);
    const listed = (await page()).body;
    const section = listed.slice(listed.indexOf(`id="plan-${plan.id.slice(0, 8)}"`));
    expect(section).toMatch(/<dt>Lokasi<\/dt>\s*<dd>Kawasan Industri Batulicin<\/dd>/);
    expect(section).toContain(`name="siteIds" value="${own.id}" checked`);
  });
});
