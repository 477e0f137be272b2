// An office's work queue: the open steps of its running enrolments that wait for the office (every actor but the
// business: officers act, and record the results of BPJPH, the LPH, MUI and assistants), most urgent first.
// Read from the projection (step_instances), a page at a time; counts of overdue and soon-due steps on top.
import { and, asc, count, eq, or, sql, type SQL } from 'drizzle-orm';
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
} from '../db/schema.js';
import { addWorkingDays, workingDaysBetween, type OfficeCalendar } from '../domain/calendar.js';
import { forbidden } from '../domain/errors.js';
import type { Principal } from './principal.js';

/** "Due soon" is within this many working days (amber in the queue). */
export const dueSoonWorkingDays = 3;
export const queuePageSize = 25;

export interface QueueFilter {
  programmeKey?: string;
  cohortId?: string;
  stepKey?: string;
  regionCode?: string;
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
  };
}

/** Each step of each template version, with its actor and names: a few hundred rows, joined instead of parsed per row. */
const stepDefs = sql`(select pv.programme_key, pv.version, st->>'key' as step_key, st->>'actor' as actor,
  st->'name'->>'id' as name_id, st->'name'->>'en' as name_en
  from ${programmeVersions} pv, jsonb_array_elements(pv.template->'steps') st) d`;

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
  const cal = await loadOfficeCalendar(db, officeId, now);
  // Raw SQL takes instants as text: postgres-js serialises a Date only where drizzle knows the column.
  const soonCutoff = new Date(addWorkingDays(now, dueSoonWorkingDays, cal)).toISOString();
  const nowDate = new Date(now).toISOString();

  const conditions: SQL[] = [
    eq(enrolments.officeId, officeId),
    eq(enrolments.status, 'active'),
    eq(stepInstances.status, 'open'),
    sql`d.actor <> 'business'`,
  ];
  if (filter.programmeKey) conditions.push(eq(enrolments.programmeKey, filter.programmeKey));
  if (filter.cohortId) conditions.push(eq(enrolments.cohortId, filter.cohortId));
  if (filter.stepKey) conditions.push(eq(stepInstances.stepKey, filter.stepKey));
  if (filter.regionCode) conditions.push(eq(businesses.regionCode, filter.regionCode));
  const where = and(...conditions);

  const base = () =>
    db
      .select({
        open: count(),
        overdue: sql<number>`count(*) filter (where ${stepInstances.dueAt} < ${nowDate}::timestamptz)`.mapWith(Number),
        dueSoon:
          sql<number>`count(*) filter (where ${stepInstances.dueAt} >= ${nowDate}::timestamptz and ${stepInstances.dueAt} <= ${soonCutoff}::timestamptz)`.mapWith(
            Number,
          ),
      })
      .from(stepInstances)
      .innerJoin(enrolments, eq(enrolments.id, stepInstances.enrolmentId))
      .innerJoin(businesses, eq(businesses.id, enrolments.businessId))
      .innerJoin(
        stepDefs,
        sql`d.programme_key = ${enrolments.programmeKey} and d.version = ${enrolments.programmeVersion} and d.step_key = ${stepInstances.stepKey}`,
      )
      .where(where);

  const [totals] = await base();
  const counts = { open: totals?.open ?? 0, overdue: totals?.overdue ?? 0, dueSoon: totals?.dueSoon ?? 0 };
  const pageCount = Math.max(1, Math.ceil(counts.open / queuePageSize));
  const page = Math.min(Math.max(1, filter.page), pageCount);

  const [rows, office, programmeRows, cohortRows, stepRows] = await Promise.all([
    db
      .select({
        stepInstanceId: stepInstances.id,
        enrolmentId: enrolments.id,
        businessName: businesses.name,
        regionName: regions.name,
        programmeKey: enrolments.programmeKey,
        programmeNameId: programmes.nameId,
        programmeNameEn: programmes.nameEn,
        stepKey: stepInstances.stepKey,
        stepNameId: sql<string>`d.name_id`,
        stepNameEn: sql<string>`d.name_en`,
        actor: sql<string>`d.actor`,
        openedAt: stepInstances.openedAt,
        dueAt: stepInstances.dueAt,
      })
      .from(stepInstances)
      .innerJoin(enrolments, eq(enrolments.id, stepInstances.enrolmentId))
      .innerJoin(businesses, eq(businesses.id, enrolments.businessId))
      .innerJoin(regions, eq(regions.code, businesses.regionCode))
      .innerJoin(programmes, eq(programmes.key, enrolments.programmeKey))
      .innerJoin(
        stepDefs,
        sql`d.programme_key = ${enrolments.programmeKey} and d.version = ${enrolments.programmeVersion} and d.step_key = ${stepInstances.stepKey}`,
      )
      .where(where)
      .orderBy(sql`${stepInstances.dueAt} asc nulls last`, asc(stepInstances.id))
      .limit(queuePageSize)
      .offset((page - 1) * queuePageSize),
    db.select().from(offices).where(eq(offices.id, officeId)),
    db
      .select({ key: programmes.key, nameId: programmes.nameId, nameEn: programmes.nameEn })
      .from(programmes)
      .orderBy(asc(programmes.nameId)),
    db
      .select({ id: cohorts.id, name: cohorts.name })
      .from(cohorts)
      .where(eq(cohorts.officeId, officeId))
      .orderBy(asc(cohorts.name)),
    db.execute<{ step_key: string; name_id: string; name_en: string }>(
      sql`select distinct on (step_key) step_key, name_id, name_en from ${stepDefs}
        ${filter.programmeKey ? sql`where programme_key = ${filter.programmeKey}` : sql``}
        order by step_key, version desc`,
    ),
  ]);
  const home = office[0]!;
  const regionRows = await db
    .select({ code: regions.code, name: regions.name })
    .from(regions)
    .where(or(eq(regions.code, home.regionCode), eq(regions.provinceCode, home.regionCode)))
    .orderBy(asc(regions.name));

  return {
    zone: home.timeZone,
    counts,
    page,
    pageCount,
    items: rows.map((r) => ({
      stepInstanceId: r.stepInstanceId,
      enrolmentId: r.enrolmentId,
      businessName: r.businessName,
      regionName: r.regionName,
      programmeKey: r.programmeKey,
      programmeName: { id: r.programmeNameId, en: r.programmeNameEn },
      stepKey: r.stepKey,
      stepName: { id: r.stepNameId, en: r.stepNameEn },
      actor: r.actor,
      openedAt: r.openedAt,
      dueAt: r.dueAt,
      ...urgencyOf(r.dueAt, now, cal),
    })),
    options: {
      programmes: programmeRows.map((p) => ({ key: p.key, name: { id: p.nameId, en: p.nameEn } })),
      cohorts: cohortRows,
      steps: [...stepRows].map((s) => ({ key: s.step_key, name: { id: s.name_id, en: s.name_en } })),
      regions: regionRows.filter((r) => r.code !== home.regionCode || regionRows.length === 1),
    },
  };
}
