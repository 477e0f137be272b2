// Visits: the day, the team, the place, the businesses met and the sites seen, what was found, what must follow and who
// closed it. A visit of another office is "not found", like every other object of an office.
import { and, asc, eq, gte, inArray, isNull, lt, lte, or } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db, DbOrTx } from '../../db/client.js';
import {
  businesses,
  sites,
  users,
  visitAttachments,
  visitBusinesses,
  visitFollowUps,
  visitPlans,
  visits,
  visitSites,
  visitTeam,
} from '../../db/schema.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import { parseMonth } from '../../domain/visit-recurrence.js';
import { recordAudit, type AuditContext } from '../audit.js';
import { assertOfficeScope, type Principal } from '../principal.js';
import { officeForWrite } from '../registry-businesses.js';
import { assertTeam } from './plans.js';
import { assertOwn, businessesOf, sitesOf } from './office-rows.js';

type Source = AuditContext & { principal: Principal };
type VisitRow = typeof visits.$inferSelect;
const what = 'Kunjungan / Visit';

/** The visit if the principal's office may see it; otherwise "not found". */
export async function loadVisibleVisit(db: DbOrTx, principal: Principal, id: string): Promise<VisitRow> {
  const [row] = await db.select().from(visits).where(eq(visits.id, id));
  if (!row) throw notFound(what);
  assertOfficeScope(principal, row.officeId, what);
  return row;
}

const assertPlanned = (v: VisitRow) => {
  if (v.status !== 'planned') {
    throw conflict(
      `Kunjungan ini sudah ${v.status === 'closed' ? 'ditutup' : 'dibatalkan'} / This visit is ${v.status}`,
      { visitStatus: v.status },
    );
  }
};

export async function visitDetail(db: DbOrTx, v: VisitRow) {
  const [team, met, seen, followUps, attachments, plan] = await Promise.all([
    db
      .select({ id: users.id, name: users.name })
      .from(visitTeam)
      .innerJoin(users, eq(users.id, visitTeam.userId))
      .where(eq(visitTeam.visitId, v.id))
      .orderBy(asc(users.name)),
    db
      .select({ id: businesses.id, name: businesses.name, nib: businesses.nib })
      .from(visitBusinesses)
      .innerJoin(businesses, eq(businesses.id, visitBusinesses.businessId))
      .where(eq(visitBusinesses.visitId, v.id))
      .orderBy(asc(businesses.name)),
    db
      .select({ id: sites.id, name: sites.name, kind: sites.kind })
      .from(visitSites)
      .innerJoin(sites, eq(sites.id, visitSites.siteId))
      .where(eq(visitSites.visitId, v.id))
      .orderBy(asc(sites.name)),
    db
      .select()
      .from(visitFollowUps)
      .where(eq(visitFollowUps.visitId, v.id))
      .orderBy(asc(visitFollowUps.dueDate), asc(visitFollowUps.id)),
    db
      .select()
      .from(visitAttachments)
      .where(eq(visitAttachments.visitId, v.id))
      .orderBy(asc(visitAttachments.uploadedAt)),
    v.planId
      ? db.select({ id: visitPlans.id, name: visitPlans.name }).from(visitPlans).where(eq(visitPlans.id, v.planId))
      : Promise.resolve([]),
  ]);
  return {
    ...presentVisit(v),
    plan: plan[0] ?? null,
    team,
    businesses: met,
    sites: seen,
    followUps: followUps.map(presentFollowUp),
    attachments: attachments.map((a) => ({
      id: a.id,
      fileName: a.fileName,
      sizeBytes: a.sizeBytes,
      contentType: a.contentType,
      sha256: a.sha256,
      uploadedBy: a.uploadedBy,
      uploadedAt: a.uploadedAt.toISOString(),
    })),
  };
}
export type VisitDetail = Awaited<ReturnType<typeof visitDetail>>;

export function presentVisit(v: VisitRow) {
  return {
    id: v.id,
    officeId: v.officeId,
    planId: v.planId,
    slotKey: v.slotKey,
    date: v.date,
    place: v.place,
    status: v.status,
    findings: v.findings,
    closedBy: v.closedBy,
    closedAt: v.closedAt?.toISOString() ?? null,
    createdAt: v.createdAt.toISOString(),
  };
}

export function presentFollowUp(f: typeof visitFollowUps.$inferSelect) {
  return {
    id: f.id,
    visitId: f.visitId,
    action: f.action,
    dueDate: f.dueDate,
    assigneeUserId: f.assigneeUserId,
    status: f.status,
    doneBy: f.doneBy,
    doneAt: f.doneAt?.toISOString() ?? null,
  };
}

export interface NewVisit {
  date: string;
  place: string;
  teamUserIds: string[];
  businessIds?: string[] | undefined;
  siteIds?: string[] | undefined;
  findings?: string | undefined;
  officeId?: string | undefined;
}

/** An ad-hoc visit (one not made by a plan), e.g. an inventory visit to a fast-growing business. */
export async function createVisit(db: Db, source: Source, input: NewVisit): Promise<VisitDetail> {
  const office = await officeForWrite(db, source.principal, input.officeId, 'body.officeId');
  await assertTeam(db, office.id, input.teamUserIds, 'body.teamUserIds');
  const businessIds = [...new Set(input.businessIds ?? [])];
  await assertOwn(db, office.id, businessIds, businessesOf);
  const siteIds = [...new Set(input.siteIds ?? [])];
  await assertOwn(db, office.id, siteIds, sitesOf);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(visits)
      .values({
        officeId: office.id,
        date: input.date,
        place: input.place,
        findings: input.findings ?? null,
        createdBy: source.principal.userId,
      })
      .returning();
    const v = row!;
    await tx.insert(visitTeam).values([...new Set(input.teamUserIds)].map((userId) => ({ visitId: v.id, userId })));
    if (businessIds.length > 0) {
      await tx.insert(visitBusinesses).values(businessIds.map((businessId) => ({ visitId: v.id, businessId })));
    }
    if (siteIds.length > 0) {
      await tx.insert(visitSites).values(siteIds.map((siteId) => ({ visitId: v.id, siteId })));
    }
    await recordAudit(tx, source, {
      action: 'visit.create',
      entityType: 'visit',
      entityId: v.id,
      officeId: office.id,
      after: { ...v, teamUserIds: input.teamUserIds, businessIds, siteIds },
    });
    return visitDetail(tx, v);
  });
}

export async function getVisit(db: Db, principal: Principal, id: string): Promise<VisitDetail> {
  return visitDetail(db, await loadVisibleVisit(db, principal, id));
}

/** The visits of a month ('YYYY-MM') of the office, by date: the month's visit calendar. */
export async function listVisits(db: Db, principal: Principal, q: { month: string; officeId?: string | undefined }) {
  const { year, month } = parseMonth(q.month);
  const first = DateTime.fromObject({ year, month, day: 1 });
  const scope = principal.role === 'admin' ? q.officeId : (principal.officeId ?? '');
  const rows = await db
    .select({ visit: visits, planName: visitPlans.name })
    .from(visits)
    .leftJoin(visitPlans, eq(visitPlans.id, visits.planId))
    .where(
      and(
        scope ? eq(visits.officeId, scope) : undefined,
        gte(visits.date, first.toISODate()!),
        lt(visits.date, first.plus({ months: 1 }).toISODate()!),
      ),
    )
    .orderBy(asc(visits.date), asc(visits.place), asc(visits.id));
  return rows.map((r) => ({ ...presentVisit(r.visit), planName: r.planName }));
}
export type VisitListItem = Awaited<ReturnType<typeof listVisits>>[number];

/**
 * Findings, the businesses met and the sites seen, while the visit is open; businesses and sites are added, never
 * silently dropped.
 */
export async function recordVisitFindings(
  db: Db,
  source: Source,
  id: string,
  input: {
    findings?: string | undefined;
    businessIds?: string[] | undefined;
    siteIds?: string[] | undefined;
    place?: string | undefined;
  },
): Promise<VisitDetail> {
  const before = await loadVisibleVisit(db, source.principal, id);
  const businessIds = [...new Set(input.businessIds ?? [])];
  await assertOwn(db, before.officeId, businessIds, businessesOf);
  const siteIds = [...new Set(input.siteIds ?? [])];
  await assertOwn(db, before.officeId, siteIds, sitesOf);
  return db.transaction(async (tx) => {
    const [locked] = await tx.select().from(visits).where(eq(visits.id, id)).for('update');
    assertPlanned(locked!);
    const [row] = await tx
      .update(visits)
      .set({
        ...(input.findings !== undefined ? { findings: input.findings } : {}),
        ...(input.place !== undefined ? { place: input.place } : {}),
        updatedAt: new Date(),
      })
      .where(eq(visits.id, id))
      .returning();
    if (businessIds.length > 0) {
      await tx
        .insert(visitBusinesses)
        .values(businessIds.map((businessId) => ({ visitId: id, businessId })))
        .onConflictDoNothing();
    }
    if (siteIds.length > 0) {
      await tx
        .insert(visitSites)
        .values(siteIds.map((siteId) => ({ visitId: id, siteId })))
        .onConflictDoNothing();
    }
    await recordAudit(tx, source, {
      action: 'visit.update',
      entityType: 'visit',
      entityId: id,
      officeId: before.officeId,
      before: locked,
      after: { ...row, addedBusinessIds: businessIds, addedSiteIds: siteIds },
    });
    return visitDetail(tx, row!);
  });
}

/**
 * Closes (done, by the acting officer) or cancels a planned visit. Of two at once one wins and the other is 409: the
 * conditional update lets only one change a planned visit. A closed visit becomes the last visit of the sites it saw,
 * except where a visit of a later day already is: two visits closed at once leave the later one, whichever commits
 * first, because the second's update re-reads each site row it waited on.
 */
export async function finishVisit(
  db: Db,
  source: Source,
  id: string,
  outcome: 'closed' | 'cancelled',
  findings?: string,
): Promise<VisitDetail> {
  const before = await loadVisibleVisit(db, source.principal, id);
  if (outcome === 'closed' && !(findings ?? before.findings)?.trim()) {
    throw invalid('Temuan wajib diisi sebelum kunjungan ditutup / Findings are required to close a visit', [
      { path: 'body.findings', message: 'wajib diisi / required' },
    ]);
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(visits)
      .set({
        status: outcome,
        ...(findings !== undefined ? { findings } : {}),
        ...(outcome === 'closed' ? { closedBy: source.principal.userId, closedAt: new Date() } : {}),
        updatedAt: new Date(),
      })
      .where(and(eq(visits.id, id), eq(visits.status, 'planned')))
      .returning();
    if (!row) {
      const [now] = await tx.select().from(visits).where(eq(visits.id, id));
      assertPlanned(now!);
    }
    const lastSeen =
      outcome === 'closed'
        ? await tx
            .update(sites)
            .set({ lastVisitId: id, lastVisitOn: row!.date, updatedAt: new Date() })
            .where(
              and(
                inArray(
                  sites.id,
                  tx.select({ id: visitSites.siteId }).from(visitSites).where(eq(visitSites.visitId, id)),
                ),
                or(isNull(sites.lastVisitOn), lte(sites.lastVisitOn, row!.date)),
              ),
            )
            .returning({ id: sites.id })
        : [];
    await recordAudit(tx, source, {
      action: outcome === 'closed' ? 'visit.close' : 'visit.cancel',
      entityType: 'visit',
      entityId: id,
      officeId: before.officeId,
      before: { status: before.status },
      after: { status: outcome, findings: row!.findings, lastVisitOfSiteIds: lastSeen.map((s) => s.id) },
    });
    return visitDetail(tx, row!);
  });
}
