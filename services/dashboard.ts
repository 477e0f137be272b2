// The managers' dashboard: quota progress, the pipeline, overdue and escalated steps, statutory SLA compliance, figures
// by kabupaten/kota and wilayah, and forecasts. Counts come from the summaries the triggers keep (migrations 0008 to
// 0014), so a request sums a few thousand rows whatever the number of enrolments; the lists (overdue, late, at risk)
// read at most `listLimit` rows through their own indexes. The JSON route, the page and the reports all call this.
import { sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { loadOfficeCalendar } from '../activities/calendar.js';
import type { Db } from '../db/client.js';
import { addWorkingDays, workingDaysBetween, type OfficeCalendar } from '../domain/calendar.js';
import {
  daysUntilQuotaRunsOut,
  meanAbsoluteError,
  remainingDays,
  spreadOf,
  usualPath,
  type DayHistogram,
  type Spread,
} from '../domain/forecast.js';
import { localDay } from '../domain/local-time.js';
import { stepNotices } from '../domain/step-timing.js';
import type { ProgrammeTemplate, TemplateStep } from '../domain/template.js';
import type { LocalizedText } from '../domain/types.js';
import { collect, cursorRows, rows, type Row } from './sql-rows.js';
import { foldDashboardSummaries } from './dashboard-summaries.js';
import {
  resolveScope,
  scopeCondition,
  sqlList,
  summaryColumns,
  type DashboardFilter,
  type DashboardScope,
} from './dashboard-scope.js';
import { programmeTemplate } from './enrolment-intake.js';
import type { Principal } from './principal.js';
import { officeVisitFigures, type VisitFigures } from './visits/figures.js';

/** Rows each list on the dashboard shows; the reports give all of them. */
export const listLimit = 50;

const DAY_MS = 86_400_000;

export interface QuotaProgress {
  quotaId: string;
  officeId: string;
  programmeKey: string;
  programmeName: LocalizedText;
  regionCode: string | null;
  regionName: string | null;
  placesLimit: number;
  placesUsed: number;
  placesFree: number;
  waitlisted: number;
  /** Places taken in each month of the year (by enrolments that took one, withdrawn later or not), and the sum so far. */
  months: { month: string; taken: number; cumulative: number; evenPace: number }[];
  /** At the pace so far this year; null without a pace, with no place free, or for another year than this one. */
  runsOutOn: string | null;
  runsOutBeforeYearEnd: boolean | null;
}

export interface PipelineStep {
  stepKey: string;
  stepName: LocalizedText;
  actor: string;
  /** Enrolments whose open step this is (active or paused). */
  atStep: number;
  /** Days a finished visit of this step took: quartiles; null before anyone finished it. */
  days: Spread | null;
  finished: number;
}

export interface ProgrammePipeline {
  programmeKey: string;
  programmeName: LocalizedText;
  byStatus: Record<string, number>;
  steps: PipelineStep[];
}

export interface OverdueItem {
  stepInstanceId: string;
  enrolmentId: string;
  businessName: string;
  regionName: string;
  programmeKey: string;
  stepKey: string;
  stepName: LocalizedText;
  /** Who must act: the step's actor (an officer records the results of BPJPH, the LPH and MUI). */
  actor: string;
  dueAt: string;
  workingDaysLate: number;
  escalated: boolean;
}

export interface SlaStep {
  officeId: string;
  officeName: string;
  programmeKey: string;
  stepKey: string;
  stepName: LocalizedText;
  legalBasis: string;
  limitWorkingDays: number;
  finished: number;
  withinLimit: number;
  /** withinLimit / finished; null when none finished. */
  share: number | null;
  months: { month: string; finished: number; withinLimit: number; share: number | null }[];
}

export interface SlaLateCase {
  enrolmentId: string;
  businessName: string;
  officeName: string;
  programmeKey: string;
  stepKey: string;
  stepName: LocalizedText;
  limitWorkingDays: number;
  openedAt: string;
  completedAt: string;
  workingDaysTaken: number;
}

export interface RegionFigures {
  regionCode: string;
  regionName: string;
  wilayah: string | null;
  registered: number;
  enrolled: number;
  completed: number;
  sentra: number;
  sentraMembers: number;
}

export interface WilayahFigures {
  provinceCode: string;
  wilayah: string;
  registered: number;
  enrolled: number;
  completed: number;
  sentra: number;
  sentraMembers: number;
}

export interface FinishForecast {
  /** Dates 'YYYY-MM-DD' in the office's zone: quartiles of the expected finish. */
  low: string;
  expected: string;
  high: string;
}

export interface CaseForecast extends FinishForecast {
  enrolmentId: string;
  businessName: string;
  programmeKey: string;
  stepKey: string;
  stepName: LocalizedText;
  stepOpenedAt: string;
}

export interface CohortForecast extends FinishForecast {
  cohortId: string;
  name: string;
  programmeKey: string;
  open: number;
}

export interface ProgrammeAccuracy {
  programmeKey: string;
  programmeName: LocalizedText;
  /** What a case is expected to take from taking its place: the median of the usual way through the programme. */
  forecastDays: number;
  finishedCases: number;
  /** Mean absolute error of that forecast on the finished cases, in days; null before any finished. */
  meanAbsoluteErrorDays: number | null;
}

export interface Dashboard {
  filter: { officeIds: string[]; programmeKey: string | null; year: number; regionCodes: string[] };
  generatedAt: string;
  zone: string;
  quotas: QuotaProgress[];
  pipeline: ProgrammePipeline[];
  overdue: { total: number; escalated: number; items: OverdueItem[] };
  sla: { steps: SlaStep[]; late: { total: number; items: SlaLateCase[] } };
  regions: RegionFigures[];
  wilayah: WilayahFigures[];
  forecasts: {
    yearEnd: string;
    likelyToMissYearEnd: number;
    atRisk: CaseForecast[];
    cohorts: CohortForecast[];
    accuracy: ProgrammeAccuracy[];
  };
  /** Field work of the offices in view for the year; a programme or region filter does not narrow it. */
  visits: VisitFigures;
}

const num = (v: unknown) => Number(v ?? 0);

/**
 * The latest template of each programme (which versions are the latest asked once per request, in one statement), and
 * the one an enrolment pinned; a published version's template never changes, so programmeTemplate keeps it.
 */
export class Templates {
  private latest?: Promise<Map<string, number>>;
  constructor(private readonly db: Db) {}
  /** The programmes with a published version. */
  async keys(): Promise<string[]> {
    return [...(await this.versions()).keys()].sort();
  }
  async of(key: string): Promise<ProgrammeTemplate | null> {
    const version = (await this.versions()).get(key);
    return version === undefined ? null : programmeTemplate(this.db, key, version);
  }
  private versions(): Promise<Map<string, number>> {
    this.latest ??= rows<{ programme_key: string; version: number }>(
      this.db,
      sql`select programme_key, max(version)::int as version from programme_versions where published_at <= now()
          group by programme_key`,
    ).then((found) => new Map(found.map((r) => [r.programme_key, r.version])));
    return this.latest;
  }
  pinned(key: string, version: number) {
    return programmeTemplate(this.db, key, version);
  }
}

/**
 * An office calendar kept between requests, with the working-day sums made on it: it stands while calendar_revision
 * (bumped by a trigger on every change to calendar days, decreed years or offices, migration 0017) does, and for the
 * local year it was loaded around.
 */
interface KeptCalendar {
  revision: number;
  loaded: Promise<{ calendar: OfficeCalendar; year: number }>;
  sums: Map<string, number | null>;
}
const keptCalendars = new Map<string, KeptCalendar>();
// Sums are per due instant or per late case: bounded by the data, but not kept without end.
const maxKeptSums = 20_000;

/** The office calendars a request needs: one statement asks whether the kept ones still stand. */
export class Calendars {
  private revision?: Promise<number>;
  constructor(
    private readonly db: Db,
    private readonly now: number,
  ) {}
  private async kept(officeId: string): Promise<KeptCalendar> {
    this.revision ??= rows<{ revision: number }>(this.db, sql`select revision from calendar_revision`).then((r) =>
      Number(r[0]?.revision ?? -1),
    );
    const revision = await this.revision;
    const found = keptCalendars.get(officeId);
    if (found?.revision === revision) {
      const { calendar, year } = await found.loaded;
      // Loaded around another local year, its years may not reach this one's deadlines.
      if (year === localYear(this.now, calendar.zone)) return found;
    }
    const entry: KeptCalendar = {
      revision,
      loaded: loadOfficeCalendar(this.db, officeId, this.now).then((calendar) => ({
        calendar,
        year: localYear(this.now, calendar.zone),
      })),
      sums: new Map(),
    };
    keptCalendars.set(officeId, entry);
    await entry.loaded.catch((err: unknown) => {
      keptCalendars.delete(officeId);
      throw err;
    });
    return entry;
  }
  async of(officeId: string): Promise<OfficeCalendar> {
    return (await (await this.kept(officeId)).loaded).calendar;
  }
  /** A sum on an office's calendar that depends on nothing else (not on now): made once while the calendar stands. */
  async sum(officeId: string, key: string, make: (cal: OfficeCalendar) => number | null): Promise<number | null> {
    const entry = await this.kept(officeId);
    if (entry.sums.has(key)) return entry.sums.get(key)!;
    const value = make((await entry.loaded).calendar);
    if (entry.sums.size > maxKeptSums) entry.sums.clear();
    entry.sums.set(key, value);
    return value;
  }
}

const localYear = (ms: number, zone: string) => Number(localDay(ms, zone).slice(0, 4));
const stepOf = (template: ProgrammeTemplate | null, key: string) => template?.steps.find((s) => s.key === key);
const nameOf = (step: TemplateStep | undefined, key: string): LocalizedText => step?.name ?? { id: key, en: key };

export async function dashboard(db: Db, principal: Principal, filter: DashboardFilter, now = Date.now()) {
  // The reads sum folded and appended rows alike, so the fold runs beside them rather than before them.
  const [, result] = await Promise.all([
    foldDashboardSummaries(db),
    resolveScope(db, principal, filter, now).then((scope) => figures(db, scope)),
  ]);
  return result;
}

/** The figures of a scope already checked: for the reports, which resolve the scope themselves. */
export async function figures(db: Db, scope: DashboardScope): Promise<Dashboard> {
  const templates = new Templates(db);
  const calendars = new Calendars(db, scope.now);
  const pipelined = pipeline(db, scope, templates);
  const [quotas, pipelineData, overdue, sla, regionFigures, visits, forecasts] = await Promise.all([
    quotaProgress(db, scope),
    pipelined,
    overdueSteps(db, scope, templates, calendars),
    slaCompliance(db, scope, templates, calendars),
    byRegion(db, scope),
    // The scope is one office or all of them (resolveScope): all is no office filter at all.
    officeVisitFigures(db, {
      officeId: scope.offices.length === 1 ? scope.offices[0]!.id : undefined,
      year: scope.year,
      zone: scope.zone,
      now: scope.now,
    }),
    // Its queries need nothing of the pipeline's; only the sums made of both wait for it.
    forecast(db, scope, templates, pipelined),
  ]);
  return {
    filter: {
      officeIds: scope.offices.map((o) => o.id),
      programmeKey: scope.programmeKey,
      year: scope.year,
      regionCodes: scope.regions.map((r) => r.code),
    },
    generatedAt: new Date(scope.now).toISOString(),
    zone: scope.zone,
    quotas,
    pipeline: pipelineData.programmes,
    overdue,
    sla,
    regions: regionFigures.regions,
    wilayah: regionFigures.wilayah,
    forecasts,
    visits,
  };
}

const summaryScope = (scope: DashboardScope) => scopeCondition(scope, summaryColumns);

async function quotaProgress(db: Db, scope: DashboardScope): Promise<QuotaProgress[]> {
  const regionCodes = scope.regions.map((r) => r.code);
  const quotaRows = await rows<Row>(
    db,
    sql`select q.id, q.office_id, q.programme_key, p.name_id, p.name_en, q.region_code, r.name as region_name,
          q.places_limit, q.places_used
        from quotas q join programmes p on p.key = q.programme_key left join regions r on r.code = q.region_code
        where q.office_id in (${sqlList(scope.offices.map((o) => o.id))}) and q.year = ${scope.year}
          ${scope.programmeKey ? sql`and q.programme_key = ${scope.programmeKey}` : sql``}
          and ${
            scope.regionFiltered
              ? regionCodes.length > 0
                ? sql`q.region_code in (${sqlList(regionCodes)})`
                : sql`false`
              : sql`true`
          }
        order by p.name_id, q.region_code nulls first`,
  );
  if (quotaRows.length === 0) return [];
  const counts = await rows<Row>(
    db,
    sql`select quota_id, status, activated_month, sum(n)::int as n from dashboard_enrolment_counts
        where quota_id in (${sqlList(quotaRows.map((q) => String(q.id)))})
        group by quota_id, status, activated_month`,
  );
  const today = DateTime.fromMillis(scope.now, { zone: scope.zone });
  const yearStart = DateTime.fromObject({ year: scope.year, month: 1, day: 1 }, { zone: scope.zone });
  const yearEnd = yearStart.plus({ years: 1 });
  const currentYear = today.year === scope.year;
  const daysElapsed = Math.floor(today.diff(yearStart, 'days').days) + 1;
  const byQuota = new Map<string, { waitlisted: number; months: Map<string, number> }>();
  for (const c of counts) {
    const quota = byQuota.get(String(c.quota_id)) ?? { waitlisted: 0, months: new Map<string, number>() };
    byQuota.set(String(c.quota_id), quota);
    if (c.status === 'waitlisted') quota.waitlisted += num(c.n);
    const month = String(c.activated_month);
    quota.months.set(month, (quota.months.get(month) ?? 0) + num(c.n));
  }
  return quotaRows.map((q) => {
    const mine = byQuota.get(String(q.id));
    const waitlisted = mine?.waitlisted ?? 0;
    const limit = num(q.places_limit);
    const used = num(q.places_used);
    let cumulative = 0;
    const months = Array.from({ length: 12 }, (_, i) => {
      const month = `${scope.year}-${String(i + 1).padStart(2, '0')}`;
      const taken = mine?.months.get(month) ?? 0;
      cumulative += taken;
      return { month, taken, cumulative, evenPace: Math.round((limit * (i + 1)) / 12) };
    });
    const takenSoFar = months.reduce((s, m) => s + m.taken, 0);
    const days = currentYear ? daysUntilQuotaRunsOut(limit - used, takenSoFar, daysElapsed) : null;
    const runsOut = days === null ? null : today.plus({ days });
    return {
      quotaId: String(q.id),
      officeId: String(q.office_id),
      programmeKey: String(q.programme_key),
      programmeName: { id: String(q.name_id), en: String(q.name_en) },
      regionCode: (q.region_code as string | null) ?? null,
      regionName: (q.region_name as string | null) ?? null,
      placesLimit: limit,
      placesUsed: used,
      placesFree: limit - used,
      waitlisted,
      months,
      runsOutOn: runsOut ? runsOut.toISODate() : null,
      runsOutBeforeYearEnd: runsOut ? runsOut < yearEnd : null,
    };
  });
}

interface PipelineData {
  programmes: ProgrammePipeline[];
  /** Quartiles of each programme's step durations. */
  spreads: Map<string, Map<string, Spread>>;
}

async function pipeline(db: Db, scope: DashboardScope, templates: Templates): Promise<PipelineData> {
  const [counts, durations] = await Promise.all([
    rows<Row>(
      db,
      sql`select programme_key, status, current_step, sum(n)::int as n from dashboard_enrolment_counts
          where ${summaryScope(scope)} group by programme_key, status, current_step having sum(n) <> 0`,
    ),
    rows<Row>(
      db,
      sql`select programme_key, step_key, duration_days, sum(n)::int as n from dashboard_step_days
          where ${summaryScope(scope)} group by programme_key, step_key, duration_days having sum(n) <> 0`,
    ),
  ]);
  const keys = [...new Set([...counts, ...durations].map((c) => String(c.programme_key)))].sort();
  const spreads = new Map<string, Map<string, Spread>>();
  const finishedBy = new Map<string, number>();
  const histograms = new Map<string, Map<number, number>>();
  for (const d of durations) {
    const key = `${d.programme_key}\u0000${d.step_key}`;
    const h = histograms.get(key) ?? new Map<number, number>();
    h.set(num(d.duration_days), (h.get(num(d.duration_days)) ?? 0) + num(d.n));
    histograms.set(key, h);
    finishedBy.set(key, (finishedBy.get(key) ?? 0) + num(d.n));
  }
  for (const [key, h] of histograms) {
    const [programmeKey, stepKey] = key.split('\u0000') as [string, string];
    const spread = spreadOf(h);
    if (!spread) continue;
    const perProgramme = spreads.get(programmeKey) ?? new Map<string, Spread>();
    perProgramme.set(stepKey, spread);
    spreads.set(programmeKey, perProgramme);
  }
  const programmes: ProgrammePipeline[] = [];
  for (const programmeKey of keys) {
    const template = await templates.of(programmeKey);
    if (!template) continue;
    const mine = counts.filter((c) => c.programme_key === programmeKey);
    const byStatus: Record<string, number> = {};
    for (const c of mine) byStatus[String(c.status)] = (byStatus[String(c.status)] ?? 0) + num(c.n);
    // The usual way first (a funnel reads top to bottom), then the side steps (corrections, revisions).
    const usual = usualPath(template, template.firstStep);
    const ordered = [...usual, ...template.steps.filter((s) => !usual.includes(s))];
    programmes.push({
      programmeKey,
      programmeName: template.name,
      byStatus,
      steps: ordered.map((step) => ({
        stepKey: step.key,
        stepName: step.name,
        actor: step.actor,
        atStep: mine
          .filter((c) => c.current_step === step.key && (c.status === 'active' || c.status === 'paused'))
          .reduce((s, c) => s + num(c.n), 0),
        days: spreads.get(programmeKey)?.get(step.key) ?? null,
        finished: finishedBy.get(`${programmeKey}\u0000${step.key}`) ?? 0,
      })),
    });
  }
  return { programmes, spreads };
}

/** The scope on dashboard_list_steps `l`, which carries its own office, year, programme and region. */
const listColumns = {
  officeId: sql.raw('l.office_id'),
  programmeKey: sql.raw('l.programme_key'),
  year: sql.raw('l.year'),
  regionCode: sql.raw('l.region_code'),
};

/**
 * The rows of dashboard_list_steps that any of `ranges` selects, in `order`, with the business and region of each.
 * With a limit, each range (one office's, or one office's step's) gives its first rows from its own index range,
 * already in that order, and only those are merged and joined: a list never reads more than `limit` rows a range,
 * whatever the number of cases. Without one (the reports), all of them, sorted.
 */
function listQuery(ranges: SQL[], order: SQL, limit?: number): SQL {
  const chosen =
    limit === undefined
      ? sql`select * from dashboard_list_steps l where ${sql.join(
          ranges.map((r) => sql`(${r})`),
          sql` or `,
        )}`
      : sql.join(
          ranges.map((r) => sql`(select * from dashboard_list_steps l where ${r} order by ${order} limit ${limit})`),
          sql` union all `,
        );
  return sql`select l.*, b.name as business_name, r.name as region_name from (${chosen}) l
    join enrolments e on e.id = l.enrolment_id join businesses b on b.id = e.business_id
    join regions r on r.code = b.region_code
    order by ${order}`;
}

/** One range per office in scope: an office's rows are in order within its own index range. */
const perOffice = (scope: DashboardScope) =>
  scope.offices.map((office) => scopeCondition({ ...scope, offices: [office] }, listColumns));

// An open step (a paused one's clock stands still) past its due instant: what the summary dashboard_due_steps counts.
const overdueRanges = (scope: DashboardScope) =>
  perOffice(scope).map(
    (inOffice) => sql`l.status = 'open' and l.due_at < ${new Date(scope.now).toISOString()}::timestamptz
      and ${inOffice}`,
  );

/** Whether a step's escalation (the template's, counted on the office calendar) has gone out by now. */
async function escalation(r: Row, scope: DashboardScope, templates: Templates, calendars: Calendars) {
  const template = await templates.pinned(String(r.programme_key), num(r.programme_version));
  const step = stepOf(template, String(r.step_key));
  const officeId = String(r.office_id);
  const cal = await calendars.of(officeId);
  const dueAt = new Date(r.due_at as string | Date).getTime();
  // When the escalation goes out depends on the template, the due instant and the calendar only, not on now.
  const at = step?.escalation
    ? await calendars.sum(
        officeId,
        `escalation:${r.programme_key}:${r.programme_version}:${r.step_key}:${dueAt}`,
        (c) => {
          // The escalation alone: the reminders and the overdue notice cost calendar sums and decide nothing here.
          const [notice] = stepNotices({ reminders: [], overdueNotice: false, escalation: step.escalation }, dueAt, c);
          return notice?.at ?? null;
        },
      )
    : null;
  return { step, cal, dueAt, escalated: at !== null && at <= scope.now };
}

/** The open steps past their due date, most overdue first; escalated once the template's escalation has gone out. */
export async function* overdueList(
  db: Db,
  scope: DashboardScope,
  templates: Templates,
  calendars: Calendars,
  limit?: number,
): AsyncGenerator<OverdueItem> {
  const query = listQuery(overdueRanges(scope), sql`l.due_at asc, l.step_instance_id`, limit);
  // Cases of one step due at one instant (a cohort's, a day's) share their escalation and lateness: computed once.
  const known = new Map<string, Awaited<ReturnType<typeof escalation>> & { late: number }>();
  for await (const r of cursorRows(db, query, limit)) {
    const key = `${r.office_id}:${r.programme_key}:${r.programme_version}:${r.step_key}:${String(r.due_at)}`;
    let rule = known.get(key);
    if (!rule) {
      const found = await escalation(r, scope, templates, calendars);
      rule = { ...found, late: workingDaysBetween(found.dueAt, scope.now, found.cal) };
      known.set(key, rule);
    }
    const { step, dueAt, escalated, late } = rule;
    yield {
      stepInstanceId: String(r.step_instance_id),
      enrolmentId: String(r.enrolment_id),
      businessName: String(r.business_name),
      regionName: String(r.region_name),
      programmeKey: String(r.programme_key),
      stepKey: String(r.step_key),
      stepName: nameOf(step, String(r.step_key)),
      actor: step?.actor ?? 'officer',
      dueAt: new Date(dueAt).toISOString(),
      workingDaysLate: late,
      escalated,
    };
  }
}

async function overdueSteps(
  db: Db,
  scope: DashboardScope,
  templates: Templates,
  calendars: Calendars,
): Promise<Dashboard['overdue']> {
  // From the summary of open steps by due instant (migration 0012): "overdue now" is the sum of the rows due before
  // now, whatever the number of cases.
  const groups = await rows<Row>(
    db,
    sql`select office_id, programme_key, programme_version, step_key, due_at, sum(n)::int as n
        from dashboard_due_steps
        where ${summaryScope(scope)} and due_at < ${new Date(scope.now).toISOString()}::timestamptz
        group by 1, 2, 3, 4, 5 having sum(n) <> 0 order by due_at`,
  );
  const bySteps = new Map<string, Row[]>();
  for (const g of groups) {
    const key = `${g.office_id}:${g.programme_key}:${g.programme_version}:${g.step_key}`;
    const steps = bySteps.get(key);
    if (steps) steps.push(g);
    else bySteps.set(key, [g]);
  }
  let total = 0;
  let escalated = 0;
  // The escalation rule is the template's, on the office calendar, so it runs here, not in SQL. It goes out a fixed
  // number of working days after the due instant, so the later a step falls due the later it escalates: the rows
  // escalated by now are a step's earliest, found by bisection with a few calendar sums instead of one per instant.
  for (const steps of bySteps.values()) {
    let [low, high] = [0, steps.length];
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((await escalation(steps[mid]!, scope, templates, calendars)).escalated) low = mid + 1;
      else high = mid;
    }
    steps.forEach((g, i) => {
      total += num(g.n);
      if (i < low) escalated += num(g.n);
    });
  }
  const items = await collect(overdueList(db, scope, templates, calendars, listLimit));
  return { total, escalated, items };
}

/**
 * Working days a step took: those after the day it opened, up to and including the day it was finished on (a step
 * finished at 09:00 on its second working day took two, as the law counts them).
 */
export function workingDaysTaken(openedAt: number, completedAt: number, cal: OfficeCalendar): number {
  return workingDaysBetween(openedAt, addWorkingDays(completedAt, 0, cal), cal);
}

export interface LegalStep {
  programmeKey: string;
  step: TemplateStep & { legalBasis: string };
  limitWorkingDays: number;
}

/** Steps with a statutory limit in working days, of the programmes in scope (their latest templates). */
export async function legalSteps(db: Db, scope: DashboardScope, templates: Templates): Promise<LegalStep[]> {
  const keys = scope.programmeKey
    ? [scope.programmeKey]
    : (await rows<{ key: string }>(db, sql`select key from programmes order by key`)).map((r) => r.key);
  const found: LegalStep[] = [];
  for (const key of keys) {
    const template = await templates.of(key);
    for (const step of template?.steps ?? []) {
      if (step.legalBasis && step.due?.kind === 'working_days') {
        found.push({ programmeKey: key, step: step as LegalStep['step'], limitWorkingDays: step.due.days });
      }
    }
  }
  return found;
}

/** The statutory steps finished after their limit, the latest first. */
export async function* lateList(
  db: Db,
  scope: DashboardScope,
  legal: LegalStep[],
  calendars: Calendars,
  limit?: number,
): AsyncGenerator<SlaLateCase> {
  if (legal.length === 0) return;
  // The list holds a finished step only when it finished after its due date.
  const ranges = perOffice(scope).flatMap((inOffice) =>
    legal.map(
      (l) => sql`l.status = 'done' and l.programme_key = ${l.programmeKey} and l.step_key = ${l.step.key}
        and ${inOffice}`,
    ),
  );
  const query = listQuery(ranges, sql`l.completed_at desc nulls last, l.step_instance_id`, limit);
  for await (const r of cursorRows(db, query, limit)) {
    const l = legal.find((x) => x.programmeKey === r.programme_key && x.step.key === r.step_key)!;
    const openedAt = new Date(r.opened_at as string | Date).getTime();
    const completedAt = new Date(r.completed_at as string | Date).getTime();
    const taken = await calendars.sum(String(r.office_id), `taken:${openedAt}:${completedAt}`, (cal) =>
      workingDaysTaken(openedAt, completedAt, cal),
    );
    yield {
      enrolmentId: String(r.enrolment_id),
      businessName: String(r.business_name),
      officeName: scope.offices.find((o) => o.id === r.office_id)?.name ?? '',
      programmeKey: l.programmeKey,
      stepKey: l.step.key,
      stepName: l.step.name,
      limitWorkingDays: l.limitWorkingDays,
      openedAt: new Date(openedAt).toISOString(),
      completedAt: new Date(completedAt).toISOString(),
      workingDaysTaken: taken!,
    };
  }
}

async function slaCompliance(
  db: Db,
  scope: DashboardScope,
  templates: Templates,
  calendars: Calendars,
): Promise<Dashboard['sla']> {
  const legal = await legalSteps(db, scope, templates);
  if (legal.length === 0) return { steps: [], late: { total: 0, items: [] } };
  const pairs = sql.join(
    legal.map((l) => sql`(${l.programmeKey}, ${l.step.key})`),
    sql`, `,
  );
  const [counts, items] = await Promise.all([
    rows<Row>(
      db,
      sql`select office_id, programme_key, step_key, completed_month, due_result, sum(n)::int as n
          from dashboard_step_durations
          where ${summaryScope(scope)} and (programme_key, step_key) in (${pairs}) and due_result <> 'none'
          group by 1, 2, 3, 4, 5 having sum(n) <> 0`,
    ),
    collect(lateList(db, scope, legal, calendars, listLimit)),
  ]);
  const lateTotal = counts.filter((c) => c.due_result === 'late').reduce((sum, c) => sum + num(c.n), 0);
  const steps: SlaStep[] = [];
  for (const office of scope.offices) {
    for (const l of legal) {
      const mine = counts.filter(
        (c) => c.office_id === office.id && c.programme_key === l.programmeKey && c.step_key === l.step.key,
      );
      if (mine.length === 0) continue;
      const monthKeys = [...new Set(mine.map((c) => String(c.completed_month)))].sort();
      const share = (within: number, finished: number) => (finished === 0 ? null : within / finished);
      const months = monthKeys.map((month) => {
        const m = mine.filter((c) => c.completed_month === month);
        const finished = m.reduce((s, c) => s + num(c.n), 0);
        const withinLimit = m.filter((c) => c.due_result === 'within').reduce((s, c) => s + num(c.n), 0);
        return { month, finished, withinLimit, share: share(withinLimit, finished) };
      });
      const finished = months.reduce((s, m) => s + m.finished, 0);
      const withinLimit = months.reduce((s, m) => s + m.withinLimit, 0);
      steps.push({
        officeId: office.id,
        officeName: office.name,
        programmeKey: l.programmeKey,
        stepKey: l.step.key,
        stepName: l.step.name,
        legalBasis: l.step.legalBasis,
        limitWorkingDays: l.limitWorkingDays,
        finished,
        withinLimit,
        share: share(withinLimit, finished),
        months,
      });
    }
  }
  return { steps, late: { total: lateTotal, items } };
}

async function byRegion(
  db: Db,
  scope: DashboardScope,
): Promise<{ regions: RegionFigures[]; wilayah: WilayahFigures[] }> {
  const officeIds = sqlList(scope.offices.map((o) => o.id));
  const [businessRows, enrolmentRows, sentraRows] = await Promise.all([
    rows<Row>(
      db,
      sql`select region_code, sentra_id <> '' as in_sentra, sum(n)::int as n from dashboard_business_counts
          where office_id in (${officeIds}) group by 1, 2`,
    ),
    rows<Row>(
      db,
      sql`select region_code, status, sum(n)::int as n from dashboard_enrolment_counts
          where ${summaryScope(scope)} group by 1, 2`,
    ),
    rows<Row>(db, sql`select region_code, count(*)::int as n from sentra where office_id in (${officeIds}) group by 1`),
  ]);
  const sumOf = (list: Row[], code: string, keep: (r: Row) => boolean = () => true) =>
    list.filter((r) => r.region_code === code && keep(r)).reduce((s, r) => s + num(r.n), 0);
  const regions = scope.regions.map((r) => ({
    regionCode: r.code,
    regionName: r.name,
    wilayah: r.wilayah,
    registered: sumOf(businessRows, r.code),
    enrolled: sumOf(enrolmentRows, r.code, (e) => e.status !== 'waitlisted'),
    completed: sumOf(enrolmentRows, r.code, (e) => e.status === 'completed'),
    sentra: sumOf(sentraRows, r.code),
    sentraMembers: sumOf(businessRows, r.code, (b) => b.in_sentra === true),
  }));
  const wilayah: WilayahFigures[] = [];
  for (const r of scope.regions) {
    if (!r.wilayah || !r.provinceCode) continue;
    const figures = regions.find((x) => x.regionCode === r.code)!;
    let w = wilayah.find((x) => x.provinceCode === r.provinceCode && x.wilayah === r.wilayah);
    if (!w) {
      w = {
        provinceCode: r.provinceCode,
        wilayah: r.wilayah,
        registered: 0,
        enrolled: 0,
        completed: 0,
        sentra: 0,
        sentraMembers: 0,
      };
      wilayah.push(w);
    }
    w.registered += figures.registered;
    w.enrolled += figures.enrolled;
    w.completed += figures.completed;
    w.sentra += figures.sentra;
    w.sentraMembers += figures.sentraMembers;
  }
  wilayah.sort((a, b) => a.provinceCode.localeCompare(b.provinceCode) || a.wilayah.length - b.wilayah.length);
  return { regions, wilayah };
}

/** The finish of a case at a step it entered `elapsedDays` ago, as local dates. */
export function finishOf(remaining: Spread, now: number, zone: string): FinishForecast {
  return {
    low: localDay(now + remaining.low * DAY_MS, zone),
    expected: localDay(now + remaining.median * DAY_MS, zone),
    high: localDay(now + remaining.high * DAY_MS, zone),
  };
}

/** Whole days from a local date 'YYYY-MM-DD' to another: plain date arithmetic, called once per row of a summary. */
const daysBetweenDays = (from: string, to: string) =>
  Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS));

type Spreads = Map<string, Map<string, Spread>>;
const spreadsFor = (spreads: Spreads, programmeKey: string) => spreads.get(programmeKey) ?? new Map<string, Spread>();

/** From each step, the cases that opened it on or after this day (any day: null) are expected to finish after the year's end. */
export interface AtRiskSince {
  programmeKey: string;
  stepKey: string;
  openedOnOrAfter: string | null;
}

// Beyond ten years in a step, what is left of it is nothing: the rest of the way decides alone.
const longestInStep = 3660;

/**
 * A case is likely to miss the year's end when its expected finish (from the day its open step opened) falls after
 * it. The longer a case has been at a step, the less of it is left, so the cases at risk at a step are those that
 * opened it on or after one day: found for each step of the programmes in scope from the template and the spreads
 * (a bisection over the days in the step), then counted from the summary of open steps by the day they opened, in
 * one statement that returns a row per step, not per day.
 */
async function atRisk(
  db: Db,
  scope: DashboardScope,
  templates: Templates,
  spreads: Spreads,
): Promise<{ likely: number; since: AtRiskSince[] }> {
  const today = localDay(scope.now, scope.zone);
  const todayMs = Date.parse(today);
  const daysToYearEnd = DateTime.fromISO(`${scope.year}-12-31`, { zone: scope.zone }).diff(
    DateTime.fromISO(today, { zone: scope.zone }),
    'days',
  ).days;
  const thresholds: AtRiskSince[] = [];
  const keys = scope.programmeKey ? [scope.programmeKey] : await templates.keys();
  for (const programmeKey of keys) {
    const template = await templates.of(programmeKey);
    for (const step of template?.steps ?? []) {
      const late = (elapsed: number) =>
        remainingDays(template!, step.key, elapsed, spreadsFor(spreads, programmeKey)).median > daysToYearEnd;
      if (!late(0)) continue;
      if (late(longestInStep)) {
        thresholds.push({ programmeKey, stepKey: step.key, openedOnOrAfter: null });
        continue;
      }
      // The most days in the step that still leave the case late: late(low) holds, late(high) does not.
      let [low, high] = [0, longestInStep];
      while (high - low > 1) {
        const mid = (low + high) >> 1;
        if (late(mid)) low = mid;
        else high = mid;
      }
      thresholds.push({ programmeKey, stepKey: step.key, openedOnOrAfter: localDay(todayMs - low * DAY_MS, 'UTC') });
    }
  }
  if (thresholds.length === 0) return { likely: 0, since: [] };
  const counts = await rows<{ programme_key: string; step_key: string; n: number }>(
    db,
    sql`select programme_key, step_key, sum(n)::int as n from dashboard_open_steps
        join unnest(${sql.param(thresholds.map((t) => t.programmeKey))}::text[],
          ${sql.param(thresholds.map((t) => t.stepKey))}::text[],
          ${sql.param(thresholds.map((t) => t.openedOnOrAfter ?? ''))}::text[]) as t(p, s, d)
          on t.p = programme_key and t.s = step_key and opened_day >= t.d
        where ${summaryScope(scope)} group by 1, 2 having sum(n) <> 0`,
  );
  return {
    likely: counts.reduce((sum, c) => sum + num(c.n), 0),
    since: thresholds.filter((t) =>
      counts.some((c) => c.programme_key === t.programmeKey && c.step_key === t.stepKey && num(c.n) > 0),
    ),
  };
}

/** The cases likely to miss the year's end, each with its own expected finish, those longest in their step first. */
export async function* atRiskList(
  db: Db,
  scope: DashboardScope,
  templates: Templates,
  spreads: Spreads,
  since: AtRiskSince[],
  limit?: number,
): AsyncGenerator<CaseForecast> {
  if (since.length === 0) return;
  const ranges = perOffice(scope).flatMap((inOffice) =>
    since.map(
      (a) => sql`l.status in ('open', 'paused') and l.programme_key = ${a.programmeKey} and l.step_key = ${a.stepKey}
        and ${
          a.openedOnOrAfter === null
            ? sql`true`
            : sql`l.opened_at >= (${a.openedOnOrAfter}::date::timestamp at time zone ${scope.zone})`
        } and ${inOffice}`,
    ),
  );
  const query = listQuery(ranges, sql`l.opened_at asc, l.enrolment_id`, limit);
  for await (const c of cursorRows(db, query, limit)) {
    const template = (await templates.of(String(c.programme_key)))!;
    const openedAt = new Date(c.opened_at as string | Date).getTime();
    const elapsed = daysBetweenDays(localDay(openedAt, scope.zone), localDay(scope.now, scope.zone));
    const rest = remainingDays(template, String(c.step_key), elapsed, spreadsFor(spreads, String(c.programme_key)));
    yield {
      enrolmentId: String(c.enrolment_id),
      businessName: String(c.business_name),
      programmeKey: String(c.programme_key),
      stepKey: String(c.step_key),
      stepName: nameOf(stepOf(template, String(c.step_key)), String(c.step_key)),
      stepOpenedAt: new Date(openedAt).toISOString(),
      ...finishOf(rest, scope.now, scope.zone),
    };
  }
}

/** Quartiles of each programme's step durations under a scope: what per-case forecasts start from. */
export async function stepSpreads(db: Db, scope: DashboardScope): Promise<Spreads> {
  return (await pipeline(db, scope, new Templates(db))).spreads;
}

/** For the reports: the cases at risk under a scope, all of them. */
export async function* allAtRisk(db: Db, scope: DashboardScope): AsyncGenerator<CaseForecast> {
  const templates = new Templates(db);
  const { spreads } = await pipeline(db, scope, templates);
  const risk = await atRisk(db, scope, templates, spreads);
  yield* atRiskList(db, scope, templates, spreads, risk.since);
}

async function forecast(
  db: Db,
  scope: DashboardScope,
  templates: Templates,
  pipelined: Promise<PipelineData>,
): Promise<Dashboard['forecasts']> {
  const yearEndDay = `${scope.year}-12-31`;
  const [cohortSteps, completions] = await Promise.all([
    rows<Row>(
      db,
      sql`select c.cohort_id, c.programme_key, c.current_step, sum(c.n)::int as n, h.name
          from dashboard_enrolment_counts c join cohorts h on h.id::text = c.cohort_id
          where ${scopeCondition(scope, {
            officeId: sql.raw('c.office_id'),
            programmeKey: sql.raw('c.programme_key'),
            year: sql.raw('c.year'),
            regionCode: sql.raw('c.region_code'),
          })} and c.status in ('active', 'paused') and c.cohort_id <> ''
          group by 1, 2, 3, 5 having sum(c.n) <> 0`,
    ),
    rows<Row>(
      db,
      sql`select programme_key, duration_days, sum(n)::int as n from dashboard_completion_durations
          where ${summaryScope(scope)} group by 1, 2 having sum(n) <> 0`,
    ),
  ]);

  const data = await pipelined;
  const spreadsOf = (key: string) => spreadsFor(data.spreads, key);
  const risk = await atRisk(db, scope, templates, data.spreads);
  const atRiskCases = await collect(atRiskList(db, scope, templates, data.spreads, risk.since, listLimit));

  // A cohort finishes with its last case: the latest of its cases' finishes, each from the start of its step.
  const cohorts: CohortForecast[] = [];
  for (const c of cohortSteps) {
    const template = await templates.of(String(c.programme_key));
    if (!template || !stepOf(template, String(c.current_step))) continue;
    const rest = remainingDays(template, String(c.current_step), 0, spreadsOf(String(c.programme_key)));
    let cohort = cohorts.find((x) => x.cohortId === c.cohort_id);
    const finish = finishOf(rest, scope.now, scope.zone);
    if (!cohort) {
      cohort = {
        cohortId: String(c.cohort_id),
        name: String(c.name),
        programmeKey: String(c.programme_key),
        open: 0,
        ...finish,
      };
      cohorts.push(cohort);
    } else {
      if (finish.low > cohort.low) cohort.low = finish.low;
      if (finish.expected > cohort.expected) cohort.expected = finish.expected;
      if (finish.high > cohort.high) cohort.high = finish.high;
    }
    cohort.open += num(c.n);
  }
  cohorts.sort((a, b) => a.name.localeCompare(b.name));

  const accuracy: ProgrammeAccuracy[] = [];
  for (const p of data.programmes) {
    const template = (await templates.of(p.programmeKey))!;
    const forecastDays = remainingDays(template, template.firstStep, 0, spreadsOf(p.programmeKey)).median;
    const actual: DayHistogram = new Map(
      completions.filter((c) => c.programme_key === p.programmeKey).map((c) => [num(c.duration_days), num(c.n)]),
    );
    const mae = meanAbsoluteError(forecastDays, actual);
    accuracy.push({
      programmeKey: p.programmeKey,
      programmeName: p.programmeName,
      forecastDays,
      finishedCases: mae?.cases ?? 0,
      meanAbsoluteErrorDays: mae ? Math.round(mae.days * 10) / 10 : null,
    });
  }
  return { yearEnd: yearEndDay, likelyToMissYearEnd: risk.likely, atRisk: atRiskCases, cohorts, accuracy };
}
