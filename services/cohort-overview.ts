// Cohorts as an office sees them: each with its members by status and the use of its programme year's quota; one
// cohort with its members and where each stands; and, before a bulk enrolment, who would get a place and who would
// wait. Read from the projection.
import { and, asc, count, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  businesses,
  cohorts,
  enrolments,
  offices,
  programmes,
  quotas,
  regions,
  sentra,
  stepInstances,
  users,
} from '../db/schema.js';
import { forbidden, notFound } from '../domain/errors.js';
import { findStep } from '../domain/template.js';
import {
  programmeTemplate,
  quotasOf,
  homeQuota,
  priorityOf,
  selectBusinesses,
  type Selection,
} from './enrolment-intake.js';
import { assertOfficeScope, type Principal } from './principal.js';

export interface CohortSummary {
  id: string;
  name: string;
  programmeKey: string;
  programmeName: { id: string; en: string };
  year: number;
  members: Record<string, number>;
  quota: { used: number; limit: number } | null;
}

/**
 * The office a read is about: the one named (an administrator's choice; another office is not found for an officer or
 * manager), else the principal's own.
 */
function officeOf(principal: Principal, named?: string): string {
  const officeId = named ?? principal.officeId;
  if (!officeId) throw forbidden('Akun ini tidak terikat pada kantor / This account belongs to no office');
  assertOfficeScope(principal, officeId, 'Kantor / Office');
  return officeId;
}

export async function listCohorts(db: Db, principal: Principal, named?: string): Promise<CohortSummary[]> {
  const officeId = officeOf(principal, named);
  const rows = await db
    .select({ cohort: cohorts, nameId: programmes.nameId, nameEn: programmes.nameEn })
    .from(cohorts)
    .innerJoin(programmes, eq(programmes.key, cohorts.programmeKey))
    .where(eq(cohorts.officeId, officeId))
    .orderBy(desc(cohorts.year), asc(cohorts.name))
    .limit(200);
  const ids = rows.map((r) => r.cohort.id);
  const [memberRows, quotaRows] = await Promise.all([
    ids.length === 0
      ? []
      : db
          .select({ cohortId: enrolments.cohortId, status: enrolments.status, n: count() })
          .from(enrolments)
          .where(inArray(enrolments.cohortId, ids))
          .groupBy(enrolments.cohortId, enrolments.status),
    db
      .select({
        programmeKey: quotas.programmeKey,
        year: quotas.year,
        used: sql<number>`sum(${quotas.placesUsed})`.mapWith(Number),
        limit: sql<number>`sum(${quotas.placesLimit})`.mapWith(Number),
      })
      .from(quotas)
      .where(eq(quotas.officeId, officeId))
      .groupBy(quotas.programmeKey, quotas.year),
  ]);
  return rows.map(({ cohort, nameId, nameEn }) => {
    const quota = quotaRows.find((q) => q.programmeKey === cohort.programmeKey && q.year === cohort.year);
    return {
      id: cohort.id,
      name: cohort.name,
      programmeKey: cohort.programmeKey,
      programmeName: { id: nameId, en: nameEn },
      year: cohort.year,
      members: Object.fromEntries(memberRows.filter((m) => m.cohortId === cohort.id).map((m) => [m.status, m.n])),
      quota: quota ? { used: quota.used, limit: quota.limit } : null,
    };
  });
}

export interface CohortMember {
  enrolmentId: string;
  businessId: string;
  businessName: string;
  status: string;
  stepName: { id: string; en: string } | null;
  dueAt: Date | null;
  /** The officer who handles the case, or null. */
  assigneeName: string | null;
}

export const cohortPageSize = 50;

/** One cohort and a page of its members (by business name) with their current steps. */
export async function cohortDetail(db: Db, principal: Principal, cohortId: string, page: number) {
  const [row] = await db
    .select({ cohort: cohorts, nameId: programmes.nameId, nameEn: programmes.nameEn, zone: offices.timeZone })
    .from(cohorts)
    .innerJoin(programmes, eq(programmes.key, cohorts.programmeKey))
    .innerJoin(offices, eq(offices.id, cohorts.officeId))
    .where(eq(cohorts.id, cohortId));
  if (!row) throw notFound('Kohort / Cohort');
  assertOfficeScope(principal, row.cohort.officeId, 'Kohort / Cohort');
  const [total] = await db.select({ n: count() }).from(enrolments).where(eq(enrolments.cohortId, cohortId));
  const pageCount = Math.max(1, Math.ceil((total?.n ?? 0) / cohortPageSize));
  const current = Math.min(Math.max(1, page), pageCount);
  const members = await db
    .select({
      enrolment: enrolments,
      businessName: businesses.name,
      assigneeName: users.name,
      dueAt: sql<string | null>`(select s.due_at from ${stepInstances} s where s.enrolment_id = ${enrolments.id}
        and s.status in ('open', 'paused') order by s.opened_at desc limit 1)`,
    })
    .from(enrolments)
    .innerJoin(businesses, eq(businesses.id, enrolments.businessId))
    .leftJoin(users, eq(users.id, enrolments.assigneeUserId))
    .where(eq(enrolments.cohortId, cohortId))
    .orderBy(asc(businesses.name), asc(enrolments.id))
    .limit(cohortPageSize)
    .offset((current - 1) * cohortPageSize);
  const stepNames = new Map<string, { id: string; en: string }>();
  for (const m of members) {
    const e = m.enrolment;
    if (!e.currentStep) continue;
    const template = await programmeTemplate(db, e.programmeKey, e.programmeVersion);
    const step = template && findStep(template, e.currentStep);
    if (step) stepNames.set(e.id, step.name);
  }
  return {
    cohort: row.cohort,
    zone: row.zone,
    programmeName: { id: row.nameId, en: row.nameEn },
    page: current,
    pageCount,
    total: total?.n ?? 0,
    members: members.map((m): CohortMember => ({
      enrolmentId: m.enrolment.id,
      businessId: m.enrolment.businessId,
      businessName: m.businessName,
      status: m.enrolment.status,
      stepName: stepNames.get(m.enrolment.id) ?? null,
      dueAt: m.dueAt ? new Date(m.dueAt) : null,
      assigneeName: m.assigneeName,
    })),
  };
}

export interface EnrolmentPreview {
  active: { id: string; name: string }[];
  waitlisted: { id: string; name: string }[];
  skipped: { id: string; name: string; reason: 'enrolled' | 'no_quota' }[];
}

/**
 * Who a bulk enrolment into the cohort would make active and who would wait, if confirmed now: the same selection and
 * the same order as the enrolment itself (export-oriented first), against the places free in each home quota. Nothing
 * is written or held, so a place taken meanwhile can still turn an "active" into "waitlisted".
 */
export async function previewEnrolment(
  db: Db,
  principal: Principal,
  cohortId: string,
  selection: Selection,
): Promise<EnrolmentPreview> {
  const [cohort] = await db.select().from(cohorts).where(eq(cohorts.id, cohortId));
  if (!cohort) throw notFound('Kohort / Cohort');
  assertOfficeScope(principal, cohort.officeId, 'Kohort / Cohort');
  const selected = await selectBusinesses(db, cohort.officeId, selection);
  const intake = { programmeKey: cohort.programmeKey, year: cohort.year, officeId: cohort.officeId };
  const [all, enrolled] = await Promise.all([
    quotasOf(db, intake),
    selected.length === 0
      ? []
      : db
          .select({ businessId: enrolments.businessId })
          .from(enrolments)
          .where(
            and(
              eq(enrolments.programmeKey, cohort.programmeKey),
              eq(enrolments.year, cohort.year),
              inArray(
                enrolments.businessId,
                selected.map((b) => b.id),
              ),
            ),
          ),
  ]);
  const already = new Set(enrolled.map((e) => e.businessId));
  const free = new Map(all.map((q) => [q.id, q.placesLimit - q.placesUsed]));
  const preview: EnrolmentPreview = { active: [], waitlisted: [], skipped: [] };
  for (const b of [...selected].sort((x, y) => priorityOf(y) - priorityOf(x))) {
    const home = homeQuota(all, b.regionCode);
    if (already.has(b.id)) preview.skipped.push({ id: b.id, name: b.name, reason: 'enrolled' });
    else if (!home) preview.skipped.push({ id: b.id, name: b.name, reason: 'no_quota' });
    else if ((free.get(home.id) ?? 0) > 0) {
      free.set(home.id, free.get(home.id)! - 1);
      preview.active.push({ id: b.id, name: b.name });
    } else preview.waitlisted.push({ id: b.id, name: b.name });
  }
  return preview;
}

/** What an enrolment selection or a business can name in the office: its kabupaten/kota and its sentra. */
export async function selectionChoices(db: Db, principal: Principal, named?: string) {
  const officeId = officeOf(principal, named);
  const [office] = await db.select().from(offices).where(eq(offices.id, officeId));
  if (!office) throw notFound('Kantor / Office');
  const [regionRows, sentraRows] = await Promise.all([
    db
      .select({ code: regions.code, name: regions.name })
      .from(regions)
      .where(or(eq(regions.code, office.regionCode), eq(regions.provinceCode, office.regionCode)))
      .orderBy(asc(regions.name)),
    db
      .select({ id: sentra.id, name: sentra.name })
      .from(sentra)
      .where(eq(sentra.officeId, officeId))
      .orderBy(asc(sentra.name)),
  ]);
  return { regions: regionRows, sentra: sentraRows };
}

/** The office's businesses with these NIBs, and the NIBs it does not have. */
export async function businessesByNib(db: Db, principal: Principal, nibs: string[], named?: string) {
  const officeId = officeOf(principal, named);
  const rows =
    nibs.length === 0
      ? []
      : await db
          .select({ id: businesses.id, nib: businesses.nib })
          .from(businesses)
          .where(and(eq(businesses.officeId, officeId), inArray(businesses.nib, nibs)));
  const found = new Set(rows.map((r) => r.nib));
  return { ids: rows.map((r) => r.id), unknown: nibs.filter((n) => !found.has(n)) };
}
