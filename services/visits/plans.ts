// Visit plans: a recurrence by calendar month run by a Temporal schedule of its own (one per plan). Every change of a
// plan holds the plan's row lock while it changes the schedule, and rolls back when Temporal refuses, so the plan's
// status and its schedule's state never disagree, whatever two officers do at once.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { and, asc, eq, gte, inArray, isNull } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db, DbOrTx } from '../../db/client.js';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import { offices, sites, users, visitPlans, visits } from '../../db/schema.js';
import { DomainError, invalid, notFound } from '../../domain/errors.js';
import {
  occurrencesInMonth,
  parseMonth,
  plannedRange,
  recurrenceSchema,
  type Recurrence,
} from '../../domain/visit-recurrence.js';
import { visitPlanWorkflowType, type VisitPlanRunInput } from '../../workflows/visit-plan.js';
import { recordAudit, type AuditContext } from '../audit.js';
import { assertOfficeScope, type Principal } from '../principal.js';
import { officeForWrite } from '../registry-businesses.js';
import { assertOwn, sitesOf } from './office-rows.js';

export interface VisitPlanDeps {
  db: Db;
  temporal: { client: Client; taskQueue: string };
}
type Source = AuditContext & { principal: Principal };
type PlanRow = typeof visitPlans.$inferSelect;

export const visitPlanScheduleId = (planId: string) => `visit-plan-${planId}`;

export function presentPlan(p: PlanRow) {
  const recurrence = recurrenceSchema.parse(p.recurrence);
  return {
    id: p.id,
    officeId: p.officeId,
    name: p.name,
    place: p.place,
    recurrence,
    visitsPerMonth: plannedRange(recurrence),
    teamUserIds: p.teamUserIds,
    siteIds: p.siteIds,
    status: p.status,
    scheduleId: visitPlanScheduleId(p.id),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
export type VisitPlanView = ReturnType<typeof presentPlan>;

/** The team must be active officers or managers of the plan's office. */
export async function assertTeam(db: DbOrTx, officeId: string, userIds: string[], path: string): Promise<void> {
  const found = await db
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        inArray(users.id, userIds),
        eq(users.officeId, officeId),
        inArray(users.role, ['officer', 'manager']),
        isNull(users.disabledAt),
      ),
    );
  const known = new Set(found.map((u) => u.id));
  const unknown = userIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw invalid('Tim kunjungan tidak valid / Invalid visit team', [
      {
        path,
        message: `bukan petugas aktif kantor ini / not an active officer of this office: ${unknown.join(', ')}`,
      },
    ]);
  }
}

/** The schedule: at 00:05 on the 1st of every month in the office's zone, one run creates that month's visits. */
function scheduleOf(plan: PlanRow, zone: string, taskQueue: string) {
  const input: VisitPlanRunInput = { planId: plan.id };
  return {
    spec: { calendars: [{ dayOfMonth: 1, hour: 0, minute: 5 }], timezone: zone },
    action: {
      type: 'startWorkflow' as const,
      workflowType: visitPlanWorkflowType,
      workflowId: `visit-plan-${plan.id}-run`,
      taskQueue,
      args: [input],
    },
    // A month's run sleeps until its reminders; the next month's run must still start.
    policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '1 day' as const },
  };
}

async function zoneOf(db: DbOrTx, officeId: string): Promise<string> {
  const [office] = await db.select({ zone: offices.timeZone }).from(offices).where(eq(offices.id, officeId));
  return office!.zone;
}

/**
 * How long a plan's change waits for the scheduler. Temporal down fails a call at once; Temporal stalled (overloaded,
 * its database hung) holds it without end, and the change waits holding the plan's row lock and a connection.
 */
export const schedulerAnswerMs = 10_000;

/** Creates the plan's schedule, or brings it up to date (state included): safe to call again. */
async function syncSchedule(db: DbOrTx, deps: VisitPlanDeps, plan: PlanRow): Promise<void> {
  const { client, taskQueue } = deps.temporal;
  const { spec, action, policies } = scheduleOf(plan, await zoneOf(db, plan.officeId), taskQueue);
  const paused = plan.status === 'paused';
  await client.connection.withDeadline(Date.now() + schedulerAnswerMs, async () => {
    try {
      await client.schedule.create({
        scheduleId: visitPlanScheduleId(plan.id),
        spec,
        action,
        policies,
        state: { paused },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule
        .getHandle(visitPlanScheduleId(plan.id))
        .update((previous) => ({ ...previous, spec, action, policies, state: { ...previous.state, paused } }));
    }
  });
}

/** Runs `change` under the plan's row lock and then syncs the schedule before the commit. */
async function withPlan(
  deps: VisitPlanDeps,
  source: Source,
  id: string,
  change: (tx: DbOrTx, plan: PlanRow) => Promise<PlanRow>,
): Promise<PlanRow> {
  return deps.db.transaction(async (tx) => {
    const [plan] = await tx.select().from(visitPlans).where(eq(visitPlans.id, id)).for('update');
    if (!plan) throw notFound('Rencana kunjungan / Visit plan');
    assertOfficeScope(source.principal, plan.officeId, 'Rencana kunjungan / Visit plan');
    const changed = await change(tx, plan);
    await syncSchedule(tx, deps, changed).catch((err: unknown) => {
      throw err instanceof DomainError ? err : unavailable(err);
    });
    return changed;
  });
}

const unavailable = (err: unknown) =>
  new DomainError(
    'unavailable',
    'Penjadwal (Temporal) tidak dapat dihubungi; tidak ada yang diubah / The scheduler (Temporal) is unreachable; nothing was changed',
    { cause: err instanceof Error ? err.message : String(err) },
  );

export interface NewVisitPlan {
  name: string;
  place: string;
  recurrence: Recurrence;
  teamUserIds: string[];
  siteIds?: string[] | undefined;
  officeId?: string | undefined;
}

export async function createVisitPlan(
  deps: VisitPlanDeps,
  source: Source,
  input: NewVisitPlan,
): Promise<VisitPlanView> {
  const office = await officeForWrite(deps.db, source.principal, input.officeId, 'body.officeId');
  await assertTeam(deps.db, office.id, input.teamUserIds, 'body.teamUserIds');
  const siteIds = [...new Set(input.siteIds ?? [])];
  await assertOwn(deps.db, office.id, siteIds, sitesOf);
  const plan = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(visitPlans)
      .values({
        officeId: office.id,
        name: input.name,
        place: input.place,
        recurrence: input.recurrence,
        teamUserIds: [...new Set(input.teamUserIds)],
        siteIds,
        createdBy: source.principal.userId,
      })
      .returning();
    await recordAudit(tx, source, {
      action: 'visit_plan.create',
      entityType: 'visit_plan',
      entityId: row!.id,
      officeId: office.id,
      after: row,
    });
    // Should the commit fail after this, the schedule's runs find no plan and do nothing (occurrences.ts).
    await syncSchedule(tx, deps, row!).catch((err: unknown) => {
      throw unavailable(err);
    });
    return row!;
  });
  return presentPlan(plan);
}

export async function getVisitPlan(db: Db, principal: Principal, id: string): Promise<VisitPlanView> {
  const [plan] = await db.select().from(visitPlans).where(eq(visitPlans.id, id));
  if (!plan) throw notFound('Rencana kunjungan / Visit plan');
  assertOfficeScope(principal, plan.officeId, 'Rencana kunjungan / Visit plan');
  return presentPlan(plan);
}

/** How many coming dates the list gives per active plan. */
const nextDatesShown = 3;

/**
 * The office's plans, each with its team's names and its next dates: the planned visits already made from today on,
 * then those its schedule's coming monthly runs will make (a paused plan has none until resumed).
 */
export async function listVisitPlans(
  db: Db,
  principal: Principal,
  officeId: string | undefined,
  now = Date.now(),
): Promise<
  (VisitPlanView & {
    team: { id: string; name: string }[];
    sites: { id: string; name: string }[];
    nextDates: string[];
  })[]
> {
  const scope = principal.role === 'admin' ? officeId : (principal.officeId ?? '');
  const rows = await db
    .select()
    .from(visitPlans)
    .where(scope ? eq(visitPlans.officeId, scope) : undefined)
    .orderBy(asc(visitPlans.name), asc(visitPlans.id));
  if (rows.length === 0) return [];
  const memberIds = [...new Set(rows.flatMap((p) => p.teamUserIds))];
  const members = await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, memberIds));
  const nameOf = new Map(members.map((m) => [m.id, m.name]));
  const siteIds = [...new Set(rows.flatMap((p) => p.siteIds))];
  const seen = siteIds.length
    ? await db.select({ id: sites.id, name: sites.name }).from(sites).where(inArray(sites.id, siteIds))
    : [];
  const siteNameOf = new Map(seen.map((s) => [s.id, s.name]));
  const calendars = new Map<string, Awaited<ReturnType<typeof loadOfficeCalendar>>>();
  for (const id of new Set(rows.map((p) => p.officeId))) calendars.set(id, await loadOfficeCalendar(db, id, now));
  const made = await db
    .select({ planId: visits.planId, date: visits.date })
    .from(visits)
    .where(
      and(
        inArray(
          visits.planId,
          rows.map((p) => p.id),
        ),
        eq(visits.status, 'planned'),
        gte(visits.date, DateTime.fromMillis(now).minus({ days: 1 }).toISODate()!),
      ),
    )
    .orderBy(asc(visits.date));
  return rows.map((p) => {
    const view = presentPlan(p);
    const cal = calendars.get(p.officeId)!;
    const today = DateTime.fromMillis(now, { zone: cal.zone });
    const nextDates: string[] = [];
    if (p.status === 'active') {
      const todayText = today.toISODate()!;
      nextDates.push(...made.filter((v) => v.planId === p.id && v.date >= todayText).map((v) => v.date));
      for (let m = 1; nextDates.length < nextDatesShown && m <= 12; m++) {
        const month = today.startOf('month').plus({ months: m }).toFormat('yyyy-MM');
        nextDates.push(...occurrencesInMonth(view.recurrence, month, cal).map((o) => o.date));
      }
    }
    return {
      ...view,
      team: p.teamUserIds.map((id) => ({ id, name: nameOf.get(id) ?? id })),
      sites: p.siteIds.map((id) => ({ id, name: siteNameOf.get(id) ?? id })),
      nextDates: nextDates.slice(0, nextDatesShown),
    };
  });
}

export async function updateVisitPlan(
  deps: VisitPlanDeps,
  source: Source,
  id: string,
  patch: Partial<Pick<NewVisitPlan, 'name' | 'place' | 'recurrence' | 'teamUserIds' | 'siteIds'>>,
): Promise<VisitPlanView> {
  const plan = await withPlan(deps, source, id, async (tx, before) => {
    if (patch.teamUserIds) await assertTeam(tx, before.officeId, patch.teamUserIds, 'body.teamUserIds');
    if (patch.siteIds) await assertOwn(tx, before.officeId, patch.siteIds, sitesOf);
    const [row] = await tx
      .update(visitPlans)
      .set({
        ...patch,
        ...(patch.teamUserIds ? { teamUserIds: [...new Set(patch.teamUserIds)] } : {}),
        ...(patch.siteIds ? { siteIds: [...new Set(patch.siteIds)] } : {}),
        updatedAt: new Date(),
      })
      .where(eq(visitPlans.id, before.id))
      .returning();
    await recordAudit(tx, source, {
      action: 'visit_plan.update',
      entityType: 'visit_plan',
      entityId: before.id,
      officeId: before.officeId,
      before,
      after: row,
    });
    return row!;
  });
  return presentPlan(plan);
}

/** Pauses or resumes a plan; asking for the state it is already in changes nothing. */
export async function setVisitPlanStatus(
  deps: VisitPlanDeps,
  source: Source,
  id: string,
  status: 'active' | 'paused',
): Promise<VisitPlanView> {
  const plan = await withPlan(deps, source, id, async (tx, before) => {
    if (before.status === status) return before;
    const [row] = await tx
      .update(visitPlans)
      .set({ status, updatedAt: new Date() })
      .where(eq(visitPlans.id, before.id))
      .returning();
    await recordAudit(tx, source, {
      action: status === 'paused' ? 'visit_plan.pause' : 'visit_plan.resume',
      entityType: 'visit_plan',
      entityId: before.id,
      officeId: before.officeId,
      before: { status: before.status },
      after: { status },
    });
    return row!;
  });
  return presentPlan(plan);
}

/** The longest backfill in one request: two years of months. */
export const maxBackfillMonths = 24;

/**
 * Runs the plan's schedule for past months it missed (created after them, or paused then): each month's run creates
 * the visits that do not exist yet, so a backfill over months that have theirs adds nothing. Months are 'YYYY-MM', up
 * to the current month of the office's zone.
 */
export async function backfillVisitPlan(
  deps: VisitPlanDeps,
  source: Source,
  id: string,
  range: { from: string; to: string },
  now = Date.now(),
): Promise<{ planId: string; from: string; to: string; months: number }> {
  const plan = await getVisitPlan(deps.db, source.principal, id);
  const zone = await zoneOf(deps.db, plan.officeId);
  const monthStart = (text: string) => {
    const { year, month } = parseMonth(text);
    return DateTime.fromObject({ year, month, day: 1 }, { zone });
  };
  const from = monthStart(range.from);
  const to = monthStart(range.to);
  const current = DateTime.fromMillis(now, { zone }).startOf('month');
  const months = Math.round(to.diff(from, 'months').months) + 1;
  if (months < 1) {
    throw invalid('Rentang bulan terbalik / The month range is reversed', [
      { path: 'body.to', message: 'harus sama atau setelah from / must be on or after from' },
    ]);
  }
  if (to > current) {
    throw invalid('Backfill hanya untuk bulan yang sudah mulai / Backfill is only for months that have begun', [
      {
        path: 'body.to',
        message: `paling akhir ${current.toFormat('yyyy-MM')} / at the latest ${current.toFormat('yyyy-MM')}`,
      },
    ]);
  }
  if (months > maxBackfillMonths) {
    throw invalid(
      `Paling banyak ${maxBackfillMonths} bulan sekali minta / At most ${maxBackfillMonths} months at once`,
      [{ path: 'body.from', message: `rentang ${months} bulan / a range of ${months} months` }],
    );
  }
  try {
    const { client } = deps.temporal;
    await client.connection.withDeadline(Date.now() + schedulerAnswerMs, () =>
      client.schedule.getHandle(plan.scheduleId).backfill({
        // The run of a month is at 00:05 on its 1st; the range takes in exactly the asked months' runs.
        start: from.toJSDate(),
        end: to.plus({ minutes: 10 }).toJSDate(),
        overlap: ScheduleOverlapPolicy.ALLOW_ALL,
      }),
    );
  } catch (err) {
    throw unavailable(err);
  }
  await recordAudit(deps.db, source, {
    action: 'visit_plan.backfill',
    entityType: 'visit_plan',
    entityId: plan.id,
    officeId: plan.officeId,
    after: range,
  });
  return { planId: plan.id, from: range.from, to: range.to, months };
}
