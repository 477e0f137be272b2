// An office's work queue: the open steps of its running enrolments that wait for the office (every actor but the
// business: officers act, and record the results of BPJPH, the LPH, MUI and assistants), most urgent first.
// Read from the projection (step_instances), a page at a time; counts of overdue and soon-due steps on top; each row
// names the officer who handles its case, and the queue filters by them (mine, unassigned, one officer) and by deadline
// (overdue, or due soon).
import { and, asc, count, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { loadOfficeCalendar } from '../activities/calendar.js';
import type { Db } from '../db/client.js';
import {
  businesses,
  cohorts,
  enrolments,
  offices,
  programmes,
  programmeVersions,
  regions,
  stepInstances,
  users,
} from '../db/schema.js';
import { addWorkingDays, workingDaysBetween, type OfficeCalendar } from '../domain/calendar.js';
import { forbidden } from '../domain/errors.js';
import { programmeTemplate } from './enrolment-intake.js';
import type { Principal } from './principal.js';

/** "Due soon" is within this many working days (amber in the queue). */
export const dueSoonWorkingDays = 3;
export const queuePageSize = 25;

export interface QueueFilter {
  programmeKey?: string;
  cohortId?: string;
  stepKey?: string;
  regionCode?: string;
  /** Who handles the case: the reader ('me'), nobody yet ('none'), or an officer's user id. */
  assignee?: 'me' | 'none' | (string & {});
  /** Only the steps past their due date, or due within {@link dueSoonWorkingDays}. The counts ignore it. */
  due?: 'overdue' | 'soon';
  /** 1-based. */
  page: number;
}

export interface QueueItem {
  stepInstanceId: string;
  enrolmentId: string;
  businessName: string;
  regionName: string;
  programmeKey: string;
  programmeName: { id: string; en: string };
  stepKey: string;
  stepName: { id: string; en: string };
  actor: string;
  openedAt: Date;
  dueAt: Date | null;
  urgency: 'overdue' | 'soon' | 'later' | 'none';
  /** Working days until the due date; negative once overdue. */
  workingDaysLeft: number | null;
  /** The officer who handles the case, or null while nobody does. */
  assignee: { id: string; name: string } | null;
}

export interface WorkQueue {
  zone: string;
  counts: { open: number; overdue: number; dueSoon: number };
  items: QueueItem[];
  page: number;
  pageCount: number;
  options: {
    programmes: { key: string; name: { id: string; en: string } }[];
    cohorts: { id: string; name: string }[];
    steps: { key: string; name: { id: string; en: string } }[];
    regions: { code: string; name: string }[];
    /** The office's active officers and managers, for the "handled by" filter. */
    staff: { id: string; name: string }[];
  };
}

interface StepDef {
  programmeKey: string;
  version: number;
  key: string;
  actor: string;
  name: { id: string; en: string };
}

/**
 * Every step of every published template version, from the templates themselves (immutable, cached by
 * programmeTemplate): a few hundred entries. The queue filters and names steps with them in JavaScript, so its queries
 * join no jsonb and the planner sees plain columns.
 */
async function stepDefinitions(db: Db, versions: { programmeKey: string; version: number }[]): Promise<StepDef[]> {
  const defs: StepDef[] = [];
  for (const v of versions) {
    const template = await programmeTemplate(db, v.programmeKey, v.version);
    for (const step of template?.steps ?? []) {
      defs.push({
        programmeKey: v.programmeKey,
        version: v.version,
        key: step.key,
        actor: step.actor,
        name: step.name,
      });
    }
  }
  return defs;
}

interface QueueContext {
  timeZone: string;
  regionCode: string;
  versions: { programmeKey: string; version: number }[];
  programmes: { key: string; nameId: string; nameEn: string }[];
  cohorts: { id: string; name: string }[];
  regions: { code: string; name: string }[];
  staff: { id: string; name: string }[];
}

/**
 * The office and the queue's choices (template versions, programmes, the office's cohorts, its regions) in one round
 * trip. Under load each statement costs a write to Postgres and a wake-up of its backend; the page is bound by those,
 * not by the rows it reads (bench/pages).
 */
async function queueContext(db: Db, officeId: string): Promise<QueueContext> {
  const [row] = await db.execute<{ [K in keyof QueueContext]: QueueContext[K] }>(sql`
    select o.time_zone as "timeZone", o.region_code as "regionCode",
      (select coalesce(json_agg(json_build_object('programmeKey', v.programme_key, 'version', v.version)), '[]')
        from ${programmeVersions} v) as versions,
      (select coalesce(json_agg(json_build_object('key', p.key, 'nameId', p.name_id, 'nameEn', p.name_en)
        order by p.name_id), '[]') from ${programmes} p) as programmes,
      (select coalesce(json_agg(json_build_object('id', c.id, 'name', c.name) order by c.name, c.id), '[]')
        from ${cohorts} c where c.office_id = o.id) as cohorts,
      (select coalesce(json_agg(json_build_object('code', r.code, 'name', r.name) order by r.name), '[]')
        from ${regions} r where r.code = o.region_code or r.province_code = o.region_code) as regions,
      (select coalesce(json_agg(json_build_object('id', u.id, 'name', u.name) order by u.name, u.id), '[]')
        from ${users} u where u.office_id = o.id and u.role in ('officer', 'manager') and u.disabled_at is null) as staff
    from ${offices} o where o.id = ${officeId}`);
  if (!row) throw forbidden('Kantor tidak ditemukan / Office not found');
  return row;
}

export function urgencyOf(dueAt: Date | null, now: number, cal: OfficeCalendar) {
  if (!dueAt) return { urgency: 'none' as const, workingDaysLeft: null };
  const due = dueAt.getTime();
  if (due < now) return { urgency: 'overdue' as const, workingDaysLeft: -workingDaysBetween(due, now, cal) };
  const left = workingDaysBetween(now, due, cal);
  return { urgency: left <= dueSoonWorkingDays ? ('soon' as const) : ('later' as const), workingDaysLeft: left };
}

export async function workQueue(
  db: Db,
  principal: Principal,
  filter: QueueFilter,
  now = Date.now(),
): Promise<WorkQueue> {
  if (!principal.officeId) throw forbidden('Akun ini tidak terikat pada kantor / This account belongs to no office');
  const officeId = principal.officeId;
  const [cal, context] = await Promise.all([loadOfficeCalendar(db, officeId, now), queueContext(db, officeId)]);
  const defs = await stepDefinitions(db, context.versions);
  // Raw SQL takes instants as text: postgres-js serialises a Date only where drizzle knows the column.
  const soonCutoff = new Date(addWorkingDays(now, dueSoonWorkingDays, cal)).toISOString();
  const nowDate = new Date(now).toISOString();

  const defOf = (programmeKey: string, version: number, key: string) =>
    defs.find((d) => d.programmeKey === programmeKey && d.version === version && d.key === key);
  // The office's side of the work: every (programme, version, step) whose actor is not the business.
  const waiting = defs.filter((d) => d.actor !== 'business');
  // The office's open steps that wait for it, straight from the queue's index (step_instances_office_queue_idx). A step
  // is open only while its enrolment runs (a pause makes it paused, a withdrawal cancelled, the end done), so the
  // enrolment's status needs no join; filters on the enrolment narrow by a semi-join.
  const conditions: SQL[] = [
    eq(stepInstances.officeId, officeId),
    eq(stepInstances.status, 'open'),
    eq(stepInstances.officeActs, true),
  ];
  if (filter.stepKey) conditions.push(eq(stepInstances.stepKey, filter.stepKey));
  const ofEnrolment: SQL[] = [];
  if (filter.programmeKey) ofEnrolment.push(eq(enrolments.programmeKey, filter.programmeKey));
  if (filter.cohortId) ofEnrolment.push(eq(enrolments.cohortId, filter.cohortId));
  if (filter.assignee === 'none') ofEnrolment.push(isNull(enrolments.assigneeUserId));
  else if (filter.assignee) {
    // "Mine" for a reader without a user id (a service token) is nobody's: the nil id matches no case.
    const userId =
      filter.assignee === 'me' ? (principal.userId ?? '00000000-0000-0000-0000-000000000000') : filter.assignee;
    ofEnrolment.push(eq(enrolments.assigneeUserId, userId));
  }
  if (filter.regionCode) {
    ofEnrolment.push(
      inArray(
        enrolments.businessId,
        db.select({ id: businesses.id }).from(businesses).where(eq(businesses.regionCode, filter.regionCode)),
      ),
    );
  }
  if (ofEnrolment.length > 0) {
    conditions.push(
      inArray(
        stepInstances.enrolmentId,
        db
          .select({ id: enrolments.id })
          .from(enrolments)
          .where(and(eq(enrolments.officeId, officeId), ...ofEnrolment)),
      ),
    );
  }
  const where = and(...conditions);
  const overdue = sql`${stepInstances.dueAt} < ${nowDate}::timestamptz`;
  const dueSoon = sql`${stepInstances.dueAt} >= ${nowDate}::timestamptz and ${stepInstances.dueAt} <= ${soonCutoff}::timestamptz`;
  // The counts on top stay those of the other filters, so the deadline filter's choices keep their numbers.
  const listed = filter.due ? and(where, filter.due === 'overdue' ? overdue : dueSoon) : where;

  const base = () =>
    db
      .select({
        open: count(),
        overdue: sql<number>`count(*) filter (where ${overdue})`.mapWith(Number),
        dueSoon: sql<number>`count(*) filter (where ${dueSoon})`.mapWith(Number),
      })
      .from(stepInstances)
      .where(where);

  const pageRows = (page: number) =>
    db
      .select({
        stepInstanceId: stepInstances.id,
        enrolmentId: enrolments.id,
        businessName: businesses.name,
        regionName: regions.name,
        programmeKey: enrolments.programmeKey,
        programmeNameId: programmes.nameId,
        programmeNameEn: programmes.nameEn,
        programmeVersion: enrolments.programmeVersion,
        stepKey: stepInstances.stepKey,
        openedAt: stepInstances.openedAt,
        dueAt: stepInstances.dueAt,
        assigneeId: users.id,
        assigneeName: users.name,
      })
      .from(stepInstances)
      .innerJoin(enrolments, eq(enrolments.id, stepInstances.enrolmentId))
      .leftJoin(users, eq(users.id, enrolments.assigneeUserId))
      .innerJoin(businesses, eq(businesses.id, enrolments.businessId))
      .innerJoin(regions, eq(regions.code, businesses.regionCode))
      .innerJoin(programmes, eq(programmes.key, enrolments.programmeKey))
      .where(listed)
      .orderBy(sql`${stepInstances.dueAt} asc nulls last`, asc(stepInstances.id))
      .limit(queuePageSize)
      .offset((page - 1) * queuePageSize);

  // The counts and the page asked for at once; a page past the end (rare: a bookmark, a queue that shrank) is asked
  // again as the last page.
  const asked = Math.max(1, filter.page);
  const [[totals], askedRows] = await Promise.all([base(), pageRows(asked)]);
  const counts = { open: totals?.open ?? 0, overdue: totals?.overdue ?? 0, dueSoon: totals?.dueSoon ?? 0 };
  const listedCount = filter.due === 'overdue' ? counts.overdue : filter.due === 'soon' ? counts.dueSoon : counts.open;
  const pageCount = Math.max(1, Math.ceil(listedCount / queuePageSize));
  const page = Math.min(asked, pageCount);
  const rows = page === asked ? askedRows : await pageRows(page);

  // The step filter offers the office's steps of the chosen programme (or of all), each key once, latest name.
  const stepChoices = new Map<string, StepDef>();
  for (const d of waiting) {
    if (filter.programmeKey && d.programmeKey !== filter.programmeKey) continue;
    const seen = stepChoices.get(d.key);
    if (!seen || seen.version < d.version) stepChoices.set(d.key, d);
  }
  return {
    zone: context.timeZone,
    counts,
    page,
    pageCount,
    items: rows.map((r) => {
      const def = defOf(r.programmeKey, r.programmeVersion, r.stepKey);
      return {
        stepInstanceId: r.stepInstanceId,
        enrolmentId: r.enrolmentId,
        businessName: r.businessName,
        regionName: r.regionName,
        programmeKey: r.programmeKey,
        programmeName: { id: r.programmeNameId, en: r.programmeNameEn },
        stepKey: r.stepKey,
        stepName: def?.name ?? { id: r.stepKey, en: r.stepKey },
        actor: def?.actor ?? 'officer',
        openedAt: r.openedAt,
        dueAt: r.dueAt,
        ...urgencyOf(r.dueAt, now, cal),
        assignee: r.assigneeId ? { id: r.assigneeId, name: r.assigneeName! } : null,
      };
    }),
    options: {
      programmes: context.programmes.map((p) => ({ key: p.key, name: { id: p.nameId, en: p.nameEn } })),
      cohorts: context.cohorts,
      steps: [...stepChoices.values()]
        .map((d) => ({ key: d.key, name: d.name }))
        .sort((a, b) => a.name.id.localeCompare(b.name.id)),
      regions: context.regions.filter((r) => r.code !== context.regionCode || context.regions.length === 1),
      staff: context.staff,
    },
  };
}
