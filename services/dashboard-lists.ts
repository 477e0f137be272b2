// The lists behind the dashboard's figures: the enrolments (of a status, at a step, of a cohort or quota, taking their
// place in a month) and the registry, under the dashboard's filters. The list page reads a page at a time, the
// reports read them whole through a cursor.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { remainingDays } from '../domain/forecast.js';
import { localDay } from '../domain/local-time.js';
import type { EnrolmentStatus, LocalizedText } from '../domain/types.js';
import { finishOf, stepSpreads, Templates, type FinishForecast } from './dashboard.js';
import { enrolmentColumns, scopeCondition, sqlList, type DashboardScope } from './dashboard-scope.js';
import { cursorRows } from './sql-rows.js';

export interface EnrolmentListFilter {
  statuses?: EnrolmentStatus[];
  stepKey?: string;
  cohortId?: string;
  quotaId?: string;
  /** 'YYYY-MM': took its place that month (office zone). */
  activatedMonth?: string;
}

export interface EnrolmentListRow {
  enrolmentId: string;
  businessName: string;
  nib: string;
  regionName: string;
  programmeKey: string;
  programmeName: LocalizedText;
  year: number;
  status: EnrolmentStatus;
  stepKey: string | null;
  stepName: LocalizedText | null;
  activatedAt: Date | null;
  completedAt: Date | null;
  /** For a case still open: when it is expected to finish, with its range. */
  forecast: FinishForecast | null;
}

function enrolmentWhere(scope: DashboardScope, filter: EnrolmentListFilter): SQL {
  const conditions: SQL[] = [scopeCondition(scope, enrolmentColumns)];
  if (filter.statuses && filter.statuses.length > 0) conditions.push(sql`e.status in (${sqlList(filter.statuses)})`);
  if (filter.stepKey) conditions.push(sql`e.current_step = ${filter.stepKey}`);
  if (filter.cohortId) conditions.push(sql`e.cohort_id = ${filter.cohortId}`);
  if (filter.quotaId) conditions.push(sql`e.quota_id = ${filter.quotaId}`);
  if (filter.activatedMonth) {
    conditions.push(sql`to_char(e.activated_at at time zone ${scope.zone}, 'YYYY-MM') = ${filter.activatedMonth}`);
  }
  return sql.join(conditions, sql` and `);
}

export async function countEnrolments(db: Db, scope: DashboardScope, filter: EnrolmentListFilter): Promise<number> {
  const [row] = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from enrolments e join businesses b on b.id = e.business_id
        where ${enrolmentWhere(scope, filter)}`,
  );
  return Number(row?.n ?? 0);
}

export async function* enrolmentList(
  db: Db,
  scope: DashboardScope,
  filter: EnrolmentListFilter,
  page?: { offset: number; limit: number },
): AsyncGenerator<EnrolmentListRow> {
  const templates = new Templates(db);
  const spreads = await stepSpreads(db, scope);
  const query = sql`select e.id, b.name, b.nib, r.name as region_name, e.programme_key, p.name_id, p.name_en, e.year,
      e.status, e.current_step, e.activated_at, e.completed_at, si.opened_at as step_opened_at
    from enrolments e join businesses b on b.id = e.business_id join regions r on r.code = b.region_code
      join programmes p on p.key = e.programme_key
      left join lateral (select s.opened_at from step_instances s
        where s.enrolment_id = e.id and s.status in ('open', 'paused') order by s.opened_at desc limit 1) si on true
    where ${enrolmentWhere(scope, filter)}
    order by b.name, e.id ${page ? sql`offset ${page.offset}` : sql``}`;
  const today = localDay(scope.now, scope.zone);
  for await (const r of cursorRows(db, query, page?.limit)) {
    const programmeKey = String(r.programme_key);
    const template = await templates.of(programmeKey);
    const stepKey = (r.current_step as string | null) ?? null;
    const step = stepKey ? template?.steps.find((s) => s.key === stepKey) : undefined;
    const open = r.status === 'active' || r.status === 'paused';
    let forecast: FinishForecast | null = null;
    if (open && template && step && r.step_opened_at) {
      const opened = localDay(new Date(r.step_opened_at as string | Date).getTime(), scope.zone);
      const elapsed = Math.max(0, Math.round((Date.parse(today) - Date.parse(opened)) / 86_400_000));
      forecast = finishOf(
        remainingDays(template, step.key, elapsed, spreads.get(programmeKey) ?? new Map()),
        scope.now,
        scope.zone,
      );
    }
    yield {
      enrolmentId: String(r.id),
      businessName: String(r.name),
      nib: String(r.nib),
      regionName: String(r.region_name),
      programmeKey,
      programmeName: { id: String(r.name_id), en: String(r.name_en) },
      year: Number(r.year),
      status: String(r.status) as EnrolmentStatus,
      stepKey,
      stepName: step?.name ?? (stepKey ? { id: stepKey, en: stepKey } : null),
      activatedAt: r.activated_at ? new Date(r.activated_at as string | Date) : null,
      completedAt: r.completed_at ? new Date(r.completed_at as string | Date) : null,
      forecast,
    };
  }
}

export interface BusinessListRow {
  businessId: string;
  name: string;
  nib: string;
  kbli: string;
  regionName: string;
  sentraName: string | null;
  exportOriented: boolean;
  registeredAt: Date;
}

/** The registry of the offices and regions in scope (programme and year do not narrow it), in name order. */
export async function* businessList(
  db: Db,
  scope: DashboardScope,
  page?: { offset: number; limit: number },
): AsyncGenerator<BusinessListRow> {
  const regionCodes = scope.regions.map((r) => r.code);
  const query = sql`select b.id, b.name, b.nib, b.kbli, r.name as region_name, s.name as sentra_name,
      b.export_oriented, b.created_at
    from businesses b join regions r on r.code = b.region_code left join sentra s on s.id = b.sentra_id
    where b.office_id in (${sqlList(scope.offices.map((o) => o.id))})
      and ${regionCodes.length > 0 ? sql`b.region_code in (${sqlList(regionCodes)})` : sql`false`}
    order by b.name, b.id ${page ? sql`offset ${page.offset}` : sql``}`;
  for await (const r of cursorRows(db, query, page?.limit)) {
    yield {
      businessId: String(r.id),
      name: String(r.name),
      nib: String(r.nib),
      kbli: String(r.kbli),
      regionName: String(r.region_name),
      sentraName: (r.sentra_name as string | null) ?? null,
      exportOriented: r.export_oriented === true,
      registeredAt: new Date(r.created_at as string | Date),
    };
  }
}
