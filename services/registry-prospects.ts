// Prospects (prospek): businesses found in the field, not yet in the registry, often without an NIB. One business
// found twice is one prospect: by its NIB (against the registry and the prospects), or, without a sure key, by a fuzzy
// match of name and address in the same kelurahan (pg_trgm's similarity), which the officer confirms or dismisses.
// A prospect enters the registry, and so can be enrolled, once it has an NIB.
import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { businesses, enrolments, prospects } from '../db/schema.js';
import { conflict, DomainError, invalid, notFound, type FieldIssue } from '../domain/errors.js';
import { recordAudit, type AuditContext } from './audit.js';
import { assertOfficeScope, type Principal } from './principal.js';
import { createBusiness, isUniqueViolation, officeForWrite } from './registry-businesses.js';
import { loadRegionIndex, officeCovers, outsideOffice, resolveRegion } from './registry.js';
import { loadVisibleVisit } from './visits/visits.js';

type Source = AuditContext & { principal: Principal };
type ProspectRow = typeof prospects.$inferSelect;
const what = 'Prospek / Prospect';

/**
 * How alike two prospects must be to be shown as a likely duplicate: a weighted trigram similarity, the name counting
 * more than the address ("UD Amplang Kuin" and "Amplang Kuin, UD" score about 0.8; two shops of one street about 0.3).
 */
export const likelyDuplicateScore = 0.5;

export function presentProspect(p: ProspectRow) {
  return {
    id: p.id,
    officeId: p.officeId,
    name: p.name,
    ownerName: p.ownerName,
    address: p.address,
    kelurahan: p.kelurahan,
    regionCode: p.regionCode,
    nib: p.nib,
    kbli: p.kbli,
    phone: p.phone,
    products: p.products,
    foundOnVisitId: p.foundOnVisitId,
    businessId: p.businessId,
    createdAt: p.createdAt.toISOString(),
  };
}
export type ProspectView = ReturnType<typeof presentProspect>;

export interface NewProspect {
  name: string;
  ownerName?: string | undefined;
  address: string;
  kelurahan: string;
  regionCode: string;
  nib?: string | undefined;
  kbli?: string | undefined;
  phone?: string | undefined;
  products?: string[] | undefined;
  visitId?: string | undefined;
  officeId?: string | undefined;
  /** The officer has seen the likely duplicates and says this is another business. */
  confirmedDistinct?: boolean | undefined;
}

/** A duplicate found by NIB: the business of the registry or the prospect that holds it. */
async function holderOfNib(db: DbOrTx, nib: string) {
  const [business] = await db
    .select({ id: businesses.id, name: businesses.name })
    .from(businesses)
    .where(eq(businesses.nib, nib));
  if (business) return { kind: 'business' as const, ...business };
  const [prospect] = await db.select().from(prospects).where(eq(prospects.nib, nib));
  return prospect ? { kind: 'prospect' as const, id: prospect.id, name: prospect.name } : null;
}

const nibHeld = (nib: string, holder: { kind: 'business' | 'prospect'; id: string; name: string }) =>
  conflict(
    holder.kind === 'business'
      ? `NIB ${nib} sudah ada di registri: ${holder.name} / NIB ${nib} is already in the registry: ${holder.name}`
      : `NIB ${nib} sudah tercatat sebagai prospek: ${holder.name} / NIB ${nib} is already a prospect: ${holder.name}`,
    { candidates: [{ ...holder, score: 1 }] },
  );

/** Prospects of the same kelurahan that look like this one, best first. */
async function likelyDuplicates(
  db: DbOrTx,
  p: { officeId: string; regionCode: string; kelurahan: string; name: string; address: string },
) {
  const score = sql<number>`(0.7 * similarity(lower(${prospects.name}), lower(${p.name}))
    + 0.3 * similarity(lower(${prospects.address}), lower(${p.address})))::float8`;
  const rows = await db
    .select({ id: prospects.id, name: prospects.name, address: prospects.address, score })
    .from(prospects)
    .where(
      and(
        eq(prospects.officeId, p.officeId),
        eq(prospects.regionCode, p.regionCode),
        sql`lower(btrim(${prospects.kelurahan})) = lower(btrim(${p.kelurahan}))`,
        sql`${score} >= ${likelyDuplicateScore}`,
      ),
    )
    .orderBy(sql`${score} desc`)
    .limit(5);
  return rows.map((r) => ({ kind: 'prospect' as const, ...r, score: Math.round(r.score * 100) / 100 }));
}

export async function addProspect(db: Db, source: Source, input: NewProspect): Promise<ProspectView> {
  const office = await officeForWrite(db, source.principal, input.officeId, 'body.officeId');
  const resolved = resolveRegion(
    await loadRegionIndex(db),
    { regionCode: input.regionCode },
    { regionCode: 'body.regionCode', bpsCode: 'body.regionCode' },
  );
  const issues: FieldIssue[] = [];
  if ('issue' in resolved) issues.push(resolved.issue);
  else if (!officeCovers(office, resolved.region))
    issues.push({ path: 'body.regionCode', message: outsideOffice(resolved.region) });
  if (input.visitId) {
    const visit = await loadVisibleVisit(db, source.principal, input.visitId).catch(() => null);
    if (!visit || visit.officeId !== office.id)
      issues.push({ path: 'body.visitId', message: 'kunjungan tidak dikenal / unknown visit' });
  }
  if (issues.length > 0 || 'issue' in resolved) throw invalid('Data prospek tidak valid / Invalid prospect', issues);
  const regionCode = resolved.region.code;
  const created = await db
    .transaction(async (tx) => {
      // Two officers adding one business at once: the second waits here and then sees the first as its duplicate.
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtext(${`prospect:${office.id}:${input.kelurahan.trim().toLowerCase()}`}))`,
      );
      if (input.nib) {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`nib:${input.nib}`}))`);
        const holder = await holderOfNib(tx, input.nib);
        if (holder) throw nibHeld(input.nib, holder);
      }
      if (!input.confirmedDistinct) {
        const candidates = await likelyDuplicates(tx, { ...input, officeId: office.id, regionCode });
        if (candidates.length > 0) {
          throw conflict(
            'Mungkin sudah tercatat; periksa kandidat, lalu kirim ulang dengan confirmedDistinct: true bila berbeda / ' +
              'Possibly recorded already; check the candidates, and send again with confirmedDistinct: true if it is another business',
            { candidates },
          );
        }
      }
      const [row] = await tx
        .insert(prospects)
        .values({
          officeId: office.id,
          name: input.name,
          ownerName: input.ownerName ?? null,
          address: input.address,
          kelurahan: input.kelurahan.trim(),
          regionCode,
          nib: input.nib ?? null,
          kbli: input.kbli ?? null,
          phone: input.phone ?? null,
          products: input.products ?? [],
          foundOnVisitId: input.visitId ?? null,
          createdBy: source.principal.userId,
        })
        .returning();
      await recordAudit(tx, source, {
        action: 'prospect.create',
        entityType: 'prospect',
        entityId: row!.id,
        officeId: office.id,
        after: row,
      });
      return row!;
    })
    .catch((err: unknown) => {
      throw isUniqueViolation(err, 'prospects_nib_unique')
        ? conflict(`NIB ${input.nib} sudah tercatat / NIB ${input.nib} is recorded already`)
        : err;
    });
  return presentProspect(created);
}

async function loadVisibleProspect(db: DbOrTx, principal: Principal, id: string): Promise<ProspectRow> {
  const [row] = await db.select().from(prospects).where(eq(prospects.id, id));
  if (!row) throw notFound(what);
  assertOfficeScope(principal, row.officeId, what);
  return row;
}

export async function getProspect(db: Db, principal: Principal, id: string) {
  return presentProspect(await loadVisibleProspect(db, principal, id));
}

export async function listProspects(
  db: Db,
  principal: Principal,
  q: { officeId?: string | undefined; registered?: boolean | undefined; visitId?: string | undefined },
) {
  const scope = principal.role === 'admin' ? q.officeId : (principal.officeId ?? '');
  const rows = await db
    .select()
    .from(prospects)
    .where(
      and(
        scope ? eq(prospects.officeId, scope) : undefined,
        q.visitId ? eq(prospects.foundOnVisitId, q.visitId) : undefined,
        q.registered === undefined
          ? undefined
          : q.registered
            ? isNotNull(prospects.businessId)
            : isNull(prospects.businessId),
      ),
    )
    .orderBy(asc(prospects.name), asc(prospects.id))
    .limit(500);
  return rows.map(presentProspect);
}

/** Adds what the officer learnt later (the NIB from OSS, the KBLI, the owner) to a prospect not yet registered. */
export async function updateProspect(
  db: Db,
  source: Source,
  id: string,
  patch: {
    nib?: string | undefined;
    kbli?: string | undefined;
    ownerName?: string | undefined;
    phone?: string | undefined;
  },
) {
  const before = await loadVisibleProspect(db, source.principal, id);
  if (before.businessId) throw conflict('Prospek ini sudah masuk registri / This prospect is in the registry already');
  const row = await db
    .transaction(async (tx) => {
      if (patch.nib && patch.nib !== before.nib) {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`nib:${patch.nib}`}))`);
        const holder = await holderOfNib(tx, patch.nib);
        if (holder) throw nibHeld(patch.nib, holder);
      }
      const [updated] = await tx
        .update(prospects)
        .set({ ...patch, updatedAt: new Date() })
        .where(and(eq(prospects.id, id), isNull(prospects.businessId)))
        .returning();
      if (!updated) throw conflict('Prospek ini sudah masuk registri / This prospect is in the registry already');
      await recordAudit(tx, source, {
        action: 'prospect.update',
        entityType: 'prospect',
        entityId: id,
        officeId: before.officeId,
        before,
        after: updated,
      });
      return updated;
    })
    .catch((err: unknown) => {
      throw isUniqueViolation(err, 'prospects_nib_unique')
        ? conflict(`NIB ${patch.nib} sudah tercatat / NIB ${patch.nib} is recorded already`)
        : err;
    });
  return presentProspect(row);
}

/**
 * Enters a prospect into the registry, from where it is enrolled like any business. It needs an NIB, a KBLI and the
 * owner's name: without them the answer is 422 naming each missing one, and nothing is written. Registering twice (or
 * two officers at once) gives one business: the NIB is unique in the registry.
 */
export async function registerProspect(db: Db, source: Source, id: string) {
  const p = await loadVisibleProspect(db, source.principal, id);
  if (p.businessId)
    throw conflict('Prospek ini sudah masuk registri / This prospect is in the registry already', {
      businessId: p.businessId,
    });
  const missing: FieldIssue[] = [];
  if (!p.nib) missing.push({ path: 'nib', message: 'NIB dari OSS belum ada / no NIB from OSS yet' });
  if (!p.kbli) missing.push({ path: 'kbli', message: 'KBLI belum diisi / no KBLI yet' });
  if (!p.ownerName) missing.push({ path: 'ownerName', message: 'nama pemilik belum diisi / no owner name yet' });
  if (missing.length > 0) {
    throw new DomainError(
      'unprocessable',
      'Prospek belum dapat didaftarkan atau diikutkan program: lengkapi dulu / ' +
        'The prospect cannot be registered or enrolled yet: complete it first',
      { errors: missing },
    );
  }
  const business = await createBusiness(db, source, {
    name: p.name,
    ownerName: p.ownerName!,
    nib: p.nib!,
    kbli: p.kbli!,
    regionCode: p.regionCode,
    address: `${p.address}, ${p.kelurahan}`,
    phone: p.phone,
    products: p.products,
    exportOriented: false,
    preferredLanguage: 'id',
    officeId: p.officeId,
  });
  await db.transaction(async (tx) => {
    await tx.update(prospects).set({ businessId: business.id, updatedAt: new Date() }).where(eq(prospects.id, p.id));
    await recordAudit(tx, source, {
      action: 'prospect.register',
      entityType: 'prospect',
      entityId: p.id,
      officeId: p.officeId,
      businessId: business.id,
      after: { businessId: business.id },
    });
  });
  return { prospect: presentProspect({ ...p, businessId: business.id }), businessId: business.id };
}

/** Prospects of an office (or all), how many entered the registry, and how many of those were enrolled. */
export async function prospectCounts(db: Db, officeId: string | undefined) {
  const [row] = await db
    .select({
      found: sql<number>`count(*)::int`,
      registered: sql<number>`(count(*) filter (where ${prospects.businessId} is not null))::int`,
      enrolled: sql<number>`(count(*) filter (where exists (select 1 from ${enrolments} e where e.business_id = prospects.business_id)))::int`,
    })
    .from(prospects)
    .where(officeId ? eq(prospects.officeId, officeId) : undefined);
  return { found: row?.found ?? 0, registered: row?.registered ?? 0, enrolled: row?.enrolled ?? 0 };
}
