// Annual quotas as managers set them: places per programme and year for an office, or one of its kabupaten/kota,
// raised or lowered (never below the places in use), with a pooling date and a daily cap per assistant. Staff read
// them with the places used and free and how many wait. The API's routes and the quota page both come here.
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import type { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client.js';
import { enrolments, offices, programmes, quotas, regions } from '../db/schema.js';
import { programmeNames } from './enrolment-intake.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { recordAudit, type AuditContext } from './audit.js';
import { assertOfficeScope, type Principal } from './principal.js';
import { programmeYearFilter, type programmeYearQuery } from './programme-year-filter.js';
import { changePlacesLimit, fillFromWaitlist } from './quota.js';
import { isUniqueViolation, officeForWrite } from './registry-businesses.js';
import { officeCovers } from './registry.js';
import { startEnrolments } from './workflows.js';

type QuotaRow = typeof quotas.$inferSelect;
type Source = AuditContext & { principal: Principal };

export interface QuotaInput {
  programmeKey: string;
  year: number;
  regionCode?: string | undefined;
  placesLimit: number;
  poolingDate?: string | undefined;
  dailyCapPerAssistant?: number | undefined;
  officeId?: string | undefined;
}

export interface QuotaChange {
  placesLimit?: number | undefined;
  poolingDate?: string | null | undefined;
  dailyCapPerAssistant?: number | null | undefined;
}

async function present(db: Db, rows: QuotaRow[]) {
  const [counts, zoneRows] = await Promise.all([
    rows.length === 0
      ? []
      : db
          .select({ quotaId: enrolments.quotaId, n: count() })
          .from(enrolments)
          .where(
            and(
              inArray(
                enrolments.quotaId,
                rows.map((q) => q.id),
              ),
              eq(enrolments.status, 'waitlisted'),
            ),
          )
          .groupBy(enrolments.quotaId),
    db.select({ id: offices.id, timeZone: offices.timeZone }).from(offices),
  ]);
  const waiting = new Map(counts.map((c) => [c.quotaId, c.n]));
  const zones = new Map(zoneRows.map((o) => [o.id, o.timeZone]));
  return rows.map((q) => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zones.get(q.officeId) ?? 'Asia/Makassar' }).format(
      new Date(),
    );
    return {
      id: q.id,
      programmeKey: q.programmeKey,
      year: q.year,
      officeId: q.officeId,
      regionCode: q.regionCode,
      placesLimit: q.placesLimit,
      placesUsed: q.placesUsed,
      placesFree: q.placesLimit - q.placesUsed,
      waitlisted: waiting.get(q.id) ?? 0,
      poolingDate: q.poolingDate,
      pooled: q.poolingDate !== null && q.poolingDate <= today,
      dailyCapPerAssistant: q.dailyCapPerAssistant,
      updatedAt: q.updatedAt.toISOString(),
    };
  });
}

export type QuotaView = Awaited<ReturnType<typeof present>>[number];

async function loadVisible(db: Db, principal: Principal, id: string) {
  const [quota] = await db.select().from(quotas).where(eq(quotas.id, id));
  if (!quota) throw notFound('Kuota / Quota');
  assertOfficeScope(principal, quota.officeId, 'Kuota / Quota');
  return quota;
}

export async function listQuotas(db: Db, principal: Principal, query: z.infer<typeof programmeYearQuery>) {
  const rows = await db
    .select()
    .from(quotas)
    .where(programmeYearFilter(quotas, principal, query))
    .orderBy(asc(quotas.year), asc(quotas.programmeKey), asc(quotas.regionCode));
  return present(db, rows);
}

export async function getQuota(db: Db, principal: Principal, id: string) {
  return (await present(db, [await loadVisible(db, principal, id)]))[0]!;
}

export async function createQuota(db: Db, source: Source, input: QuotaInput): Promise<QuotaView> {
  const office = await officeForWrite(db, source.principal, input.officeId, 'body.officeId');
  const [programme] = await db.select().from(programmes).where(eq(programmes.key, input.programmeKey));
  if (!programme)
    throw invalid('Program tidak dikenal / Unknown programme', [
      { path: 'body.programmeKey', message: 'program tidak dikenal / unknown programme' },
    ]);
  if (input.regionCode) {
    const [region] = await db.select().from(regions).where(eq(regions.code, input.regionCode));
    if (!region || region.kind === 'province' || !officeCovers(office, region)) {
      throw invalid('Wilayah di luar kantor ini / Region outside this office', [
        { path: 'body.regionCode', message: 'bukan kabupaten/kota kantor ini / not a kabupaten/kota of this office' },
      ]);
    }
  }
  const created = await db
    .transaction(async (tx) => {
      const [row] = await tx
        .insert(quotas)
        .values({
          programmeKey: input.programmeKey,
          year: input.year,
          officeId: office.id,
          regionCode: input.regionCode ?? null,
          placesLimit: input.placesLimit,
          poolingDate: input.poolingDate ?? null,
          dailyCapPerAssistant: input.dailyCapPerAssistant ?? null,
        })
        .returning();
      await recordAudit(tx, source, {
        action: 'quota.create',
        entityType: 'quota',
        entityId: row!.id,
        officeId: office.id,
        after: row,
      });
      return row!;
    })
    .catch((err: unknown) => {
      if (isUniqueViolation(err, 'quotas_scope_unique')) {
        throw conflict(
          `Kuota ${input.programmeKey} ${input.year} untuk ${input.regionCode ?? 'seluruh kantor'} sudah ada; ubah yang itu / ` +
            `A ${input.programmeKey} ${input.year} quota for ${input.regionCode ?? 'the whole office'} exists already; change that one`,
        );
      }
      throw err;
    });
  return (await present(db, [created]))[0]!;
}

/**
 * Raises or lowers the places (never below those in use: 409), changes the pooling date or the daily cap. Whoever a
 * raise or an earlier pooling date promotes from the waitlist gets their workflow at once; should that start fail after
 * the commit, `startFailed` says so and the reconciler starts it.
 */
export async function changeQuota(
  deps: { db: Db; temporal: Client; taskQueue: string },
  source: Source,
  id: string,
  change: QuotaChange,
): Promise<QuotaView & { promoted: string[]; startFailed?: unknown }> {
  const quota = await loadVisible(deps.db, source.principal, id);
  const at = new Date();
  const { after, promoted } = await deps.db.transaction(async (tx) => {
    const [before] = await tx.select().from(quotas).where(eq(quotas.id, quota.id)).for('no key update');
    const promotedIds: string[] = [];
    if (change.placesLimit !== undefined) {
      promotedIds.push(...((await changePlacesLimit(tx, quota.id, change.placesLimit, at))?.promoted ?? []));
    }
    if (change.poolingDate !== undefined || change.dailyCapPerAssistant !== undefined) {
      await tx
        .update(quotas)
        .set({ poolingDate: change.poolingDate, dailyCapPerAssistant: change.dailyCapPerAssistant, updatedAt: at })
        .where(eq(quotas.id, quota.id));
      // An earlier pooling date may open this quota's free places to the whole office now.
      if (change.poolingDate !== undefined) promotedIds.push(...(await fillFromWaitlist(tx, quota.id, at)));
    }
    const [row] = await tx.select().from(quotas).where(eq(quotas.id, quota.id));
    await recordAudit(tx, source, {
      action: 'quota.update',
      entityType: 'quota',
      entityId: quota.id,
      officeId: quota.officeId,
      before,
      after: { ...row, promoted: promotedIds },
    });
    return { after: row!, promoted: promotedIds };
  });
  let startFailed: unknown;
  if (promoted.length > 0) {
    await startEnrolments(deps.db, deps.temporal, deps.taskQueue, promoted).catch((err: unknown) => {
      startFailed = err;
    });
  }
  const view = (await present(deps.db, [after]))[0]!;
  return startFailed === undefined ? { ...view, promoted } : { ...view, promoted, startFailed };
}

/**
 * What the quota page offers for one office: the office (a manager's or officer's own; for an administrator, the one
 * they chose), the programmes, and the office's kabupaten/kota.
 */
export async function quotaChoices(db: Db, principal: Principal, chosenOfficeId: string | undefined) {
  const officeId = principal.role === 'admin' ? chosenOfficeId : principal.officeId;
  const [office] = officeId ? await db.select().from(offices).where(eq(offices.id, officeId)) : [];
  if (!office) throw notFound('Kantor / Office');
  const [programmeRows, regionRows] = await Promise.all([
    programmeNames(db),
    db.select().from(regions).orderBy(asc(regions.name)),
  ]);
  return {
    office,
    programmes: programmeRows,
    regions: regionRows
      .filter((r) => r.kind !== 'province' && officeCovers(office, r))
      .map((r) => ({ code: r.code, name: r.name })),
  };
}
