// Who handles each case: an officer (or manager) of the case's office. Assigning is audited with the assignee before
// and after, under the enrolment's row lock, so two reassignments at once are applied one after the other and the
// audit trail chains (each one's "before" is the other's "after"). A cohort, and all of one person's cases (a
// hand-over), are assigned in one transaction.
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { conflict, invalid, notFound } from '../domain/errors.js';
import type { Db, DbOrTx } from '../db/client.js';
import { cohorts, enrolments, stepInstances, users } from '../db/schema.js';
import { loadVisible } from './enrolments.js';
import { recordAudit, type AuditContext } from './audit.js';
import { assertOfficeScope, type Principal } from './principal.js';

type Source = AuditContext & { principal: Principal };

/** Cases that can still be worked on: a finished or withdrawn case keeps the assignee it had. */
const workable = ['waitlisted', 'active', 'paused'] as const;

/** The assignee must be an active officer or manager of the case's office; otherwise a 400 naming the field. */
async function assertAssignable(db: DbOrTx, userId: string, officeId: string): Promise<void> {
  const [user] = await db
    .select({ role: users.role, officeId: users.officeId, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, userId));
  if (!user || user.officeId !== officeId || user.disabledAt || (user.role !== 'officer' && user.role !== 'manager')) {
    throw invalid(
      'Penanggung jawab harus petugas atau manajer aktif di kantor kasus ini / The assignee must be an active officer or manager of the case’s office',
      [{ path: 'body.userId', message: 'bukan petugas kantor ini / not staff of this office' }],
    );
  }
}

export async function assignEnrolment(
  db: Db,
  source: Source,
  enrolmentId: string,
  userId: string | null,
): Promise<{ enrolmentId: string; assigneeUserId: string | null }> {
  const e = (await loadVisible(db, source.principal, enrolmentId)).enrolment;
  if (userId) await assertAssignable(db, userId, e.officeId);
  return db.transaction(async (tx) => {
    const [locked] = await tx.select().from(enrolments).where(eq(enrolments.id, e.id)).for('update');
    if (!workable.includes(locked!.status as (typeof workable)[number])) {
      throw conflict(`Pendaftaran berstatus ${locked!.status} / Enrolment is ${locked!.status}`);
    }
    await reassignLocked(tx, source, [locked!], userId, {});
    return { enrolmentId: e.id, assigneeUserId: userId };
  });
}

/**
 * Cases this transaction holds locked, each to `userId` and audited; `why` says what moved them all at once (nothing
 * for a single case).
 */
async function reassignLocked(
  tx: DbOrTx,
  source: Source,
  rows: (typeof enrolments.$inferSelect)[],
  userId: string | null,
  why: Record<string, string>,
) {
  for (const row of rows) {
    await tx.update(enrolments).set({ assigneeUserId: userId }).where(eq(enrolments.id, row.id));
    await recordAudit(tx, source, {
      action: 'enrolment.assign',
      entityType: 'enrolment',
      entityId: row.id,
      officeId: row.officeId,
      businessId: row.businessId,
      before: { assigneeUserId: row.assigneeUserId },
      after: { assigneeUserId: userId, ...why },
    });
  }
}

/** Every workable case of a cohort to one officer, in one action: all of them or none. */
export async function assignCohort(
  db: Db,
  source: Source,
  cohortId: string,
  userId: string | null,
): Promise<{ cohortId: string; assigneeUserId: string | null; enrolmentIds: string[] }> {
  const [cohort] = await db.select().from(cohorts).where(eq(cohorts.id, cohortId));
  if (!cohort) throw notFound('Kohort / Cohort');
  assertOfficeScope(source.principal, cohort.officeId, 'Kohort / Cohort');
  if (userId) await assertAssignable(db, userId, cohort.officeId);
  return db.transaction(async (tx) => {
    // Locked in id order, so this and a single reassignment (or another cohort's) never wait on each other in a circle.
    const members = await tx
      .select()
      .from(enrolments)
      .where(and(eq(enrolments.cohortId, cohort.id), inArray(enrolments.status, [...workable])))
      .orderBy(asc(enrolments.id))
      .for('update');
    await reassignLocked(tx, source, members, userId, { cohortId: cohort.id });
    return { cohortId: cohort.id, assigneeUserId: userId, enrolmentIds: members.map((m) => m.id) };
  });
}

/**
 * Every workable case of one staff member (one who left, or is away) to another, or to nobody, in one action: all of
 * them or none. The cases are locked in id order, as a cohort's are; the one taking them over is locked too (shared),
 * so a disabling of that person waits and a hand-over never gives cases to someone disabled meanwhile.
 */
export async function handOverCases(
  db: Db,
  source: Source,
  fromUserId: string,
  toUserId: string | null,
): Promise<{ fromUserId: string; toUserId: string | null; enrolmentIds: string[] }> {
  const [from] = await db
    .select({ id: users.id, officeId: users.officeId, role: users.role })
    .from(users)
    .where(eq(users.id, fromUserId));
  if (!from || !from.officeId || (from.role !== 'officer' && from.role !== 'manager'))
    throw notFound('Pengguna / User');
  assertOfficeScope(source.principal, from.officeId, 'Pengguna / User');
  const officeId = from.officeId;
  if (toUserId === fromUserId)
    throw invalid('Kasus sudah dipegang orang ini / The cases are already this person’s', [
      { path: 'body.userId', message: 'orang yang sama / the same person' },
    ]);
  return db.transaction(async (tx) => {
    if (toUserId) {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, toUserId)).for('share');
      await assertAssignable(tx, toUserId, officeId);
    }
    const cases = await tx
      .select()
      .from(enrolments)
      .where(
        and(
          eq(enrolments.officeId, officeId),
          eq(enrolments.assigneeUserId, fromUserId),
          inArray(enrolments.status, [...workable]),
        ),
      )
      .orderBy(asc(enrolments.id))
      .for('update');
    await reassignLocked(tx, source, cases, toUserId, { handedOverFrom: fromUserId });
    return { fromUserId, toUserId, enrolmentIds: cases.map((c) => c.id) };
  });
}

export interface StaffMember {
  id: string;
  name: string;
  role: 'officer' | 'manager';
}

/** Who a case of the office can be given to: its active officers and managers, by name. */
async function assignableStaff(db: DbOrTx, officeId: string): Promise<StaffMember[]> {
  const rows = await db
    .select({ id: users.id, name: users.name, role: users.role })
    .from(users)
    .where(and(eq(users.officeId, officeId), inArray(users.role, ['officer', 'manager']), isNull(users.disabledAt)))
    .orderBy(asc(users.name), asc(users.id));
  return rows.map((u) => ({ id: u.id, name: u.name, role: u.role as StaffMember['role'] }));
}

/** The office's assignable staff, for a reader of that office (the choices of an assignment form or a filter). */
export async function officeStaff(db: Db, principal: Principal, officeId: string): Promise<StaffMember[]> {
  assertOfficeScope(principal, officeId, 'Kantor / Office');
  return assignableStaff(db, officeId);
}

export interface OfficerLoad {
  userId: string | null;
  name: string | null;
  role: 'officer' | 'manager' | null;
  /** Running cases assigned with a step open (or paused). */
  openSteps: number;
  /** Of those, steps past their deadline. */
  overdue: number;
}

/**
 * Each officer's load in an office: open steps of their running cases and how many are overdue; one row (userId
 * null) for the cases nobody handles yet. Officers with nothing assigned are listed with zeros.
 */
export async function officeWorkload(db: Db, principal: Principal, officeId: string): Promise<OfficerLoad[]> {
  assertOfficeScope(principal, officeId, 'Kantor / Office');
  const rows = await db
    .select({
      assignee: enrolments.assigneeUserId,
      openSteps: sql<number>`count(*)::int`,
      overdue: sql<number>`count(*) filter (where ${stepInstances.status} = 'open' and ${stepInstances.dueAt} < now())::int`,
    })
    .from(enrolments)
    .innerJoin(stepInstances, eq(stepInstances.enrolmentId, enrolments.id))
    .where(
      and(
        eq(enrolments.officeId, officeId),
        inArray(enrolments.status, ['active', 'paused']),
        inArray(stepInstances.status, ['open', 'paused']),
      ),
    )
    .groupBy(enrolments.assigneeUserId);
  const staff = await assignableStaff(db, officeId);
  const byAssignee = new Map(rows.map((r) => [r.assignee, r]));
  const loads: OfficerLoad[] = staff.map((u) => ({
    userId: u.id,
    name: u.name,
    role: u.role,
    openSteps: byAssignee.get(u.id)?.openSteps ?? 0,
    overdue: byAssignee.get(u.id)?.overdue ?? 0,
  }));
  // A case may stay with an officer who has since been disabled: it still counts, under that officer's id.
  for (const r of rows) {
    if (r.assignee && !staff.some((u) => u.id === r.assignee)) {
      loads.push({ userId: r.assignee, name: null, role: null, openSteps: r.openSteps, overdue: r.overdue });
    }
  }
  const unassigned = byAssignee.get(null);
  loads.push({
    userId: null,
    name: null,
    role: null,
    openSteps: unassigned?.openSteps ?? 0,
    overdue: unassigned?.overdue ?? 0,
  });
  return loads;
}
