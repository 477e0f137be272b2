// The dashboard's figures equal what the enrolment and step rows say, for random histories: the summaries the
// triggers keep (inserts, status changes, withdrawals, a business moving region, deletes) never drift from the rows.
import { and, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businesses, enrolments, quotas, stepInstances } from '../../db/schema.js';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import { remainingDays } from '../../domain/forecast.js';
import { localDay } from '../../domain/local-time.js';
import { stepNotices } from '../../domain/step-timing.js';
import { dashboard, listLimit } from '../../services/dashboard.js';
import { programmeTemplate } from '../../services/enrolment-intake.js';
import { rebuildDashboardSummaries } from '../../services/dashboard-summaries.js';
import type { Principal } from '../../services/principal.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createBusiness, kalselOffice } from '../helpers/fixtures.js';
import { clearEnrolments, DAY, managerOf, writeHistory, type StepVisit } from './support.js';

const usual = [
  'penyelia_halal_training',
  'sjph_manual',
  'ingredient_documentation',
  'nib_oss',
  'sihalal_account',
  'readiness_review',
  'sihalal_submission',
  'bpjph_verification',
  'lph_assignment',
  'lph_audit',
  'fatwa_hearing',
  'certificate_issuance',
];
const legal = ['bpjph_verification', 'lph_assignment', 'lph_audit', 'fatwa_hearing', 'certificate_issuance'];
const statuses = ['waitlisted', 'active', 'paused', 'completed', 'withdrawn'] as const;
const regionCodes = ['6371', '6372', '6303'];
const year = 2026;
const now = Date.parse('2026-11-29T04:00:00Z');
const yearStart = Date.parse('2026-01-01T00:00:00Z');

const historyArb = fc.record({
  status: fc.constantFrom(...statuses),
  quota: fc.constantFrom(0, 1, null),
  startDay: fc.integer({ min: 0, max: 200 }),
  steps: fc.array(fc.record({ days: fc.integer({ min: 0, max: 9 }), late: fc.boolean() }), {
    minLength: 1,
    maxLength: usual.length,
  }),
});

describe('dashboard figures equal the rows', () => {
  let database: TestDatabase;
  let officeId: string;
  let manager: Principal;
  let quotaIds: string[];
  let businessIds: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    const office = await kalselOffice(database.db);
    officeId = office.id;
    manager = await managerOf(database.db, officeId);
    const q = await database.db
      .insert(quotas)
      .values([
        { programmeKey: 'halal-regular', year, officeId, placesLimit: 500 },
        { programmeKey: 'halal-regular', year, officeId, regionCode: '6371', placesLimit: 500 },
      ])
      .returning({ id: quotas.id });
    quotaIds = q.map((r) => r.id);
    businessIds = [];
    for (let i = 0; i < 25; i++) {
      const b = await createBusiness(database.db, officeId, { regionCode: regionCodes[i % 3]! });
      businessIds.push(b.id);
    }
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('for random histories, changes and deletes', async () => {
    const { db } = database;
    await fc.assert(
      fc.asyncProperty(
        fc.array(historyArb, { minLength: 1, maxLength: businessIds.length }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.nat(),
        fc.array(fc.record({ pick: fc.nat(), change: fc.constantFrom('pause', 'resume', 'extend') }), {
          maxLength: 6,
        }),
        async (histories, withdrawals, move, stepChanges) => {
          await clearEnrolments(db, officeId);
          const ids: string[] = [];
          for (const [i, h] of histories.entries()) {
            const activatedAt = h.status === 'waitlisted' ? null : yearStart + h.startDay * DAY + 3 * 3_600_000;
            const steps: StepVisit[] = [];
            let at = activatedAt ?? 0;
            const count = h.status === 'completed' ? usual.length : h.steps.length;
            for (let s = 0; s < (activatedAt === null ? 0 : count); s++) {
              const spec = h.steps[s % h.steps.length]!;
              const last = s === count - 1 && h.status !== 'completed';
              const completedAt = last ? null : at + spec.days * DAY;
              steps.push({
                stepKey: usual[s]!,
                openedAt: at,
                dueAt: at + (spec.late ? spec.days - 1 : spec.days + 1) * DAY,
                completedAt,
                status: last && h.status === 'withdrawn' ? 'cancelled' : undefined,
              });
              at = completedAt ?? at;
            }
            ids.push(
              await writeHistory(db, {
                businessId: businessIds[i]!,
                officeId,
                programmeKey: 'halal-regular',
                year,
                status: h.status,
                quotaId: h.quota === null ? null : quotaIds[h.quota],
                activatedAt,
                completedAt: h.status === 'completed' ? at : null,
                steps,
              }),
            );
          }
          // Changes after the fact: withdrawals (the step cancelled, as the withdraw activity does) and a move.
          for (const w of withdrawals) {
            const id = ids[w % ids.length]!;
            await db.transaction(async (tx) => {
              await tx
                .update(enrolments)
                .set({ status: 'withdrawn', currentStep: null })
                .where(and(eq(enrolments.id, id), sql`${enrolments.status} in ('active', 'paused', 'waitlisted')`));
              await tx
                .update(stepInstances)
                .set({ status: 'cancelled' })
                .where(and(eq(stepInstances.enrolmentId, id), eq(stepInstances.status, 'open')));
            });
          }
          // Pauses, resumes and moved due dates, as the engine writes them: the overdue summary follows the clock.
          for (const { pick, change } of stepChanges) {
            const id = ids[pick % ids.length]!;
            if (change === 'extend') {
              await db
                .update(stepInstances)
                .set({ dueAt: sql`${stepInstances.dueAt} + interval '3 days'` })
                .where(and(eq(stepInstances.enrolmentId, id), eq(stepInstances.status, 'open')));
              continue;
            }
            const [from, to] = change === 'pause' ? ['open', 'paused'] : ['paused', 'open'];
            await db.transaction(async (tx) => {
              await tx
                .update(stepInstances)
                .set({ status: to as 'open' | 'paused' })
                .where(and(eq(stepInstances.enrolmentId, id), eq(stepInstances.status, from as 'open' | 'paused')));
              await tx
                .update(enrolments)
                .set({ status: change === 'pause' ? 'paused' : 'active' })
                .where(and(eq(enrolments.id, id), eq(enrolments.status, change === 'pause' ? 'active' : 'paused')));
            });
          }
          await db
            .update(businesses)
            .set({ regionCode: regionCodes[move % 3]! })
            .where(eq(businesses.id, businessIds[move % businessIds.length]!));

          const d = await dashboard(db, manager, { year }, now);
          await expectFiguresMatchRows(d);
        },
      ),
      { numRuns: 12 },
    );
    // Rebuilt from the rows in one go (after a bulk load), the summaries give the very same figures.
    const kept = await dashboard(db, manager, { year }, now);
    await rebuildDashboardSummaries(db);
    expect(await dashboard(db, manager, { year }, now)).toEqual(kept);

    // Every case gone: after a read's fold, no summary keeps a row, pending or counted down to nothing.
    await clearEnrolments(db, officeId);
    await dashboard(db, manager, { year }, now);
    for (const table of [
      'dashboard_enrolment_counts',
      'dashboard_step_durations',
      'dashboard_step_days',
      'dashboard_completion_durations',
      'dashboard_open_steps',
      'dashboard_due_steps',
      'dashboard_list_steps',
    ]) {
      const [left] = [...(await db.execute<{ n: number }>(sql.raw(`select count(*)::int as n from ${table}`)))];
      expect(left!.n, table).toBe(0);
    }
  });

  async function expectFiguresMatchRows(d: Awaited<ReturnType<typeof dashboard>>) {
    const { db } = database;
    const q = <T>(query: ReturnType<typeof sql>) => db.execute(query).then((r) => [...r] as T[]);

    const halal = d.pipeline.find((p) => p.programmeKey === 'halal-regular');
    const byStatus = await q<{ status: string; n: number }>(
      sql`select status, count(*)::int as n from enrolments where office_id = ${officeId} and year = ${year} group by 1`,
    );
    expect(halal?.byStatus ?? {}).toEqual(Object.fromEntries(byStatus.map((r) => [r.status, r.n])));
    const atStep = await q<{ step: string; n: number }>(
      sql`select current_step as step, count(*)::int as n from enrolments where office_id = ${officeId}
          and status in ('active', 'paused') group by 1`,
    );
    for (const step of halal?.steps ?? []) {
      expect(step.atStep, step.stepKey).toBe(atStep.find((r) => r.step === step.stepKey)?.n ?? 0);
    }
    const finished = await q<{ step: string; n: number }>(
      sql`select step_key as step, count(*)::int as n from step_instances where status = 'done' group by 1`,
    );
    for (const step of halal?.steps ?? []) {
      expect(step.finished, step.stepKey).toBe(finished.find((r) => r.step === step.stepKey)?.n ?? 0);
    }

    for (const quota of d.quotas) {
      const [waiting] = await q<{ n: number }>(
        sql`select count(*)::int as n from enrolments where quota_id = ${quota.quotaId} and status = 'waitlisted'`,
      );
      expect(quota.waitlisted).toBe(waiting!.n);
      const months = await q<{ month: string; n: number }>(
        sql`select to_char(activated_at at time zone 'Asia/Makassar', 'YYYY-MM') as month, count(*)::int as n
            from enrolments where quota_id = ${quota.quotaId} and activated_at is not null group by 1`,
      );
      for (const m of quota.months) expect(m.taken, m.month).toBe(months.find((r) => r.month === m.month)?.n ?? 0);
    }

    const regionRows = await q<{ region: string; registered: number }>(
      sql`select region_code as region, count(*)::int as registered from businesses where office_id = ${officeId} group by 1`,
    );
    const enrolled = await q<{ region: string; status: string; n: number }>(
      sql`select b.region_code as region, e.status, count(*)::int as n from enrolments e
          join businesses b on b.id = e.business_id where e.office_id = ${officeId} group by 1, 2`,
    );
    for (const r of d.regions) {
      expect(r.registered, r.regionCode).toBe(regionRows.find((x) => x.region === r.regionCode)?.registered ?? 0);
      const mine = enrolled.filter((x) => x.region === r.regionCode);
      expect(r.enrolled).toBe(mine.filter((x) => x.status !== 'waitlisted').reduce((s, x) => s + x.n, 0));
      expect(r.completed).toBe(mine.filter((x) => x.status === 'completed').reduce((s, x) => s + x.n, 0));
    }

    const sla = await q<{ step: string; finished: number; within: number }>(
      sql`select step_key as step, count(*)::int as finished, count(*) filter (where completed_at <= due_at)::int as within
          from step_instances where status = 'done' and due_at is not null group by 1`,
    );
    for (const step of legal) {
      const figures = d.sla.steps.find((s) => s.stepKey === step && s.programmeKey === 'halal-regular');
      const rows = sla.find((r) => r.step === step);
      expect(figures?.finished ?? 0, step).toBe(rows?.finished ?? 0);
      expect(figures?.withinLimit ?? 0, step).toBe(rows?.within ?? 0);
    }
    const [late] = await q<{ n: number }>(
      sql`select count(*)::int as n from step_instances where status = 'done' and completed_at > due_at
          and step_key in (${sql.join(
            legal.map((l) => sql`${l}`),
            sql`, `,
          )})`,
    );
    expect(d.sla.late.total).toBe(late!.n);

    // Overdue: the open steps past their due instant; escalated when the pinned template's escalation has gone out.
    const overdue = await q<{ id: string; step_key: string; due_at: string }>(
      sql`select id, step_key, due_at from step_instances where status = 'open' and due_at < ${new Date(now).toISOString()}`,
    );
    expect(d.overdue.total).toBe(overdue.length);
    const template = (await programmeTemplate(db, 'halal-regular', 1))!;
    const cal = await loadOfficeCalendar(db, officeId, now);
    const escalated = overdue.filter((r) => {
      const step = template.steps.find((s) => s.key === r.step_key)!;
      const notice = stepNotices(step, new Date(r.due_at).getTime(), cal).find((n) => n.kind === 'escalation');
      return notice !== undefined && notice.at <= now;
    });
    expect(d.overdue.escalated).toBe(escalated.length);
    const overdueIds = new Set(overdue.map((r) => r.id));
    expect(d.overdue.items).toHaveLength(Math.min(listLimit, overdue.length));
    for (const item of d.overdue.items) expect(overdueIds.has(item.stepInstanceId)).toBe(true);

    // The lists' own table holds exactly the open and paused steps and those finished late, each with its case's
    // office, year, programme and (current) region; the lists are its first rows in their order.
    const listed = await q<Record<string, unknown>>(
      sql`select step_instance_id as id, status, office_id, year, programme_key, region_code, due_at, completed_at
          from dashboard_list_steps order by 1`,
    );
    expect(listed).toEqual(
      await q<Record<string, unknown>>(
        sql`select s.id, s.status, e.office_id, e.year, e.programme_key, b.region_code, s.due_at, s.completed_at
            from step_instances s join enrolments e on e.id = s.enrolment_id join businesses b on b.id = e.business_id
            where s.status in ('open', 'paused') or s.status = 'done' and s.completed_at > s.due_at order by 1`,
      ),
    );
    const firstOverdue = await q<{ id: string }>(
      sql`select id from step_instances where status = 'open' and due_at < ${new Date(now).toISOString()}
          order by due_at, id limit ${listLimit}`,
    );
    expect(d.overdue.items.map((i) => i.stepInstanceId)).toEqual(firstOverdue.map((r) => r.id));
    const firstLate = await q<{ enrolment_id: string; step_key: string }>(
      sql`select enrolment_id, step_key from step_instances where status = 'done' and completed_at > due_at
          and step_key in (${sql.join(
            legal.map((l) => sql`${l}`),
            sql`, `,
          )}) order by completed_at desc, id limit ${listLimit}`,
    );
    expect(d.sla.late.items.map((i) => [i.enrolmentId, i.stepKey])).toEqual(
      firstLate.map((r) => [r.enrolment_id, r.step_key]),
    );

    // Likely to miss the year's end: each open case by its own remaining days, from the day its step opened.
    const spreads = new Map((halal?.steps ?? []).flatMap((s) => (s.days ? [[s.stepKey, s.days] as const] : [])));
    const openCases = await q<{ enrolment_id: string; step_key: string; opened_at: string }>(
      sql`select s.enrolment_id, s.step_key, s.opened_at from step_instances s
          join enrolments e on e.id = s.enrolment_id
          where s.status in ('open', 'paused') and e.office_id = ${officeId} and e.year = ${year}`,
    );
    const today = localDay(now, 'Asia/Makassar');
    const daysToYearEnd = (Date.parse(`${year}-12-31`) - Date.parse(today)) / DAY;
    const atRisk = openCases.filter((c) => {
      const elapsed =
        (Date.parse(today) - Date.parse(localDay(new Date(c.opened_at).getTime(), 'Asia/Makassar'))) / DAY;
      return remainingDays(template, c.step_key, Math.max(0, elapsed), spreads).median > daysToYearEnd;
    });
    expect(d.forecasts.likelyToMissYearEnd).toBe(atRisk.length);
    const atRiskIds = new Set(atRisk.map((c) => c.enrolment_id));
    expect(d.forecasts.atRisk).toHaveLength(Math.min(listLimit, atRisk.length));
    for (const c of d.forecasts.atRisk) expect(atRiskIds.has(c.enrolmentId)).toBe(true);

    const [open] = await q<{ n: number }>(
      sql`select count(*)::int as n from step_instances where status in ('open', 'paused')`,
    );
    const [summed] = await q<{ n: number }>(sql`select coalesce(sum(n), 0)::int as n from dashboard_open_steps`);
    expect(summed!.n).toBe(open!.n);
  }
});
