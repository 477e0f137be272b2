// Creating, changing and removing businesses of the registry. Every check that names a field runs before anything is
// written; every change is audited in its own transaction.
import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { type Principal, assertBusinessScope } from './principal.js';
import { conflict, forbidden, invalid, notFound, type FieldIssue } from '../domain/errors.js';
import { recordAudit, type AuditContext } from './audit.js';
import type { Db, DbOrTx } from '../db/client.js';
import { businesses, certificates, enrolments, offices, sentra } from '../db/schema.js';
import {
  type businessFieldsSchema,
  type certificateInputSchema,
  loadRegionIndex,
  officeCovers,
  outsideOffice,
  presentBusinesses,
  type RegionRow,
  replaceRecordedCertificates,
  resolveRegion,
  sentraIssue,
} from './registry.js';

const what = 'Usaha / Business';

/**
 * The office a write goes to: an officer's or manager's own; an administrator names it. A non-administrator who names
 * one is told the office comes from the account, so a request never quietly writes elsewhere than it says.
 */
export async function officeForWrite(db: DbOrTx, principal: Principal, given: string | undefined, path: string) {
  let officeId: string;
  if (principal.role === 'admin') {
    if (!given)
      throw invalid('Kantor wajib dipilih / The office is required', [
        { path, message: 'wajib untuk admin / required for administrators' },
      ]);
    officeId = given;
  } else {
    if (given && given !== principal.officeId) {
      throw invalid('Kantor diambil dari akun Anda / The office comes from your account', [
        { path, message: 'hanya admin yang memilih kantor / only administrators choose the office' },
      ]);
    }
    if (!principal.officeId) throw forbidden('Akun ini tidak terikat pada kantor / This account belongs to no office');
    officeId = principal.officeId;
  }
  const [office] = await db.select().from(offices).where(eq(offices.id, officeId));
  if (!office)
    throw invalid('Kantor tidak dikenal / Unknown office', [
      { path, message: 'tidak ada kantor dengan id ini / no office with this id' },
    ]);
  return office;
}

/**
 * The offices a principal may create for, as a page offers them: every office for an administrator (who has none of
 * their own), the own one for an officer or manager. officeForWrite stays the judge of what is sent.
 */
export async function officesToActFor(db: DbOrTx, principal: Principal): Promise<{ id: string; name: string }[]> {
  const columns = { id: offices.id, name: offices.name };
  if (principal.role === 'admin') return db.select(columns).from(offices).orderBy(asc(offices.name));
  if (!principal.officeId) return [];
  return db.select(columns).from(offices).where(eq(offices.id, principal.officeId));
}

type Fields = z.infer<typeof businessFieldsSchema>;
type Certificate = z.infer<typeof certificateInputSchema>;

export type BusinessInput = Fields & {
  regionCode?: string;
  bpsCode?: string;
  sentraId?: string | null;
  certificates?: Certificate[];
};

export type BusinessPatch = Partial<BusinessInput>;

async function checkPlace(
  db: DbOrTx,
  office: { id: string; regionCode: string },
  input: { regionCode?: string; bpsCode?: string; sentraId?: string | null },
  current: { regionCode: string; sentraId: string | null } | null,
): Promise<{ region: RegionRow | null; issues: FieldIssue[] }> {
  const issues: FieldIssue[] = [];
  let region: RegionRow | null = null;
  const index = await loadRegionIndex(db);
  if (input.regionCode !== undefined || input.bpsCode !== undefined || !current) {
    const resolved = resolveRegion(index, input, { regionCode: 'body.regionCode', bpsCode: 'body.bpsCode' });
    if ('issue' in resolved) issues.push(resolved.issue);
    else if (!officeCovers(office, resolved.region))
      issues.push({
        path: input.regionCode ? 'body.regionCode' : 'body.bpsCode',
        message: outsideOffice(resolved.region),
      });
    else region = resolved.region;
  } else {
    region = index.byCode.get(current.regionCode) ?? null;
  }
  const sentraId = input.sentraId === undefined ? (current?.sentraId ?? null) : input.sentraId;
  if (sentraId && region) {
    const [s] = await db.select().from(sentra).where(eq(sentra.id, sentraId));
    const issue = sentraIssue(s, office.id, region, 'body.sentraId');
    if (issue) issues.push(issue);
  }
  return { region, issues };
}

const nibTaken = (nib: string) => conflict(`NIB ${nib} sudah terdaftar / NIB ${nib} is already registered`);

/** The columns a body may set; anything else it carries (region codes, certificates, office) is handled apart. */
function columnsOf(input: BusinessPatch) {
  const {
    name,
    ownerName,
    nib,
    kbli,
    address,
    phone,
    email,
    products,
    workers,
    exportOriented,
    preferredLanguage,
    sentraId,
  } = input;
  return {
    name,
    ownerName,
    nib,
    kbli,
    address,
    phone,
    email,
    products,
    workers,
    exportOriented,
    preferredLanguage,
    sentraId,
  };
}

/** A Postgres error of this code on this constraint, seen through Drizzle's wrapper. */
function isViolation(err: unknown, code: string, constraint: string): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const pg = e as Error & { code?: string; constraint_name?: string };
    if (pg.code === code && pg.constraint_name === constraint) return true;
  }
  return false;
}

export const isUniqueViolation = (err: unknown, constraint: string) => isViolation(err, '23505', constraint);
export const isCheckViolation = (err: unknown, constraint: string) => isViolation(err, '23514', constraint);

export async function createBusiness(
  db: Db,
  source: AuditContext & { principal: Principal },
  input: BusinessInput & { officeId?: string },
) {
  const office = await officeForWrite(db, source.principal, input.officeId, 'body.officeId');
  const { region, issues } = await checkPlace(db, office, input, null);
  if (issues.length > 0 || !region) throw invalid('Data usaha tidak valid / Invalid business', issues);
  const held = input.certificates;
  const created = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(businesses)
      .values({
        ...columnsOf(input),
        name: input.name,
        ownerName: input.ownerName,
        nib: input.nib,
        kbli: input.kbli,
        officeId: office.id,
        regionCode: region.code,
      })
      .onConflictDoNothing({ target: businesses.nib })
      .returning();
    if (!row) throw nibTaken(input.nib);
    if (held?.length) await replaceRecordedCertificates(tx, row.id, held);
    await recordAudit(tx, source, {
      action: 'business.create',
      entityType: 'business',
      entityId: row.id,
      officeId: row.officeId,
      businessId: row.id,
      after: { ...row, certificates: held ?? [] },
    });
    return row;
  });
  return (await presentBusinesses(db, [created]))[0]!;
}

export async function updateBusiness(
  db: Db,
  source: AuditContext & { principal: Principal },
  id: string,
  patch: BusinessPatch,
) {
  const [current] = await db.select().from(businesses).where(eq(businesses.id, id));
  if (!current) throw notFound(what);
  assertBusinessScope(source.principal, current, what);
  const [office] = await db.select().from(offices).where(eq(offices.id, current.officeId));
  const { region, issues } = await checkPlace(db, office!, patch, current);
  if (issues.length > 0 || !region) throw invalid('Data usaha tidak valid / Invalid business', issues);
  const held = patch.certificates;
  const updated = await db.transaction(async (tx) => {
    const [before] = await tx.select().from(businesses).where(eq(businesses.id, id)).for('no key update');
    if (!before) throw notFound(what);
    const [row] = await tx
      .update(businesses)
      .set({ ...columnsOf(patch), regionCode: region.code, updatedAt: new Date() })
      .where(eq(businesses.id, id))
      .returning()
      .catch((err: unknown) => {
        throw isUniqueViolation(err, 'businesses_nib_unique') ? nibTaken(patch.nib ?? '') : err;
      });
    if (held) await replaceRecordedCertificates(tx, id, held);
    await recordAudit(tx, source, {
      action: 'business.update',
      entityType: 'business',
      entityId: id,
      officeId: before.officeId,
      businessId: id,
      before,
      after: { ...row, ...(held ? { certificates: held } : {}) },
    });
    return row!;
  });
  return (await presentBusinesses(db, [updated]))[0]!;
}

/** Removes a business entered by mistake; one with enrolments stays (their history is the office's record). */
export async function deleteBusiness(
  db: Db,
  source: AuditContext & { principal: Principal },
  id: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(businesses).where(eq(businesses.id, id)).for('update');
    if (!before) throw notFound(what);
    assertBusinessScope(source.principal, before, what);
    const [enrolled] = await tx.select({ n: count() }).from(enrolments).where(eq(enrolments.businessId, id));
    if (enrolled && enrolled.n > 0) {
      throw conflict(
        `Usaha ini punya ${enrolled.n} pendaftaran dan tidak dapat dihapus / This business has ${enrolled.n} enrolments and cannot be deleted`,
      );
    }
    await tx.delete(certificates).where(and(eq(certificates.businessId, id), sql`${certificates.enrolmentId} is null`));
    await tx.delete(businesses).where(eq(businesses.id, id));
    await recordAudit(tx, source, {
      action: 'business.delete',
      entityType: 'business',
      entityId: id,
      officeId: before.officeId,
      businessId: id,
      before,
    });
  });
}
