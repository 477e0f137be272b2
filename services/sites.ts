// The site inventory: potential industrial areas (kawasan industri) and idle factories of an office's kabupaten/kota,
// listed and filtered by region, wilayah, kind, state and time since the last visit, and exported like the registry
// (report-writers.ts); each site with the visits that saw it.
import { and, asc, count, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { offices, regions, sites, visits, visitSites } from '../db/schema.js';
import { invalid, notFound } from '../domain/errors.js';
import { recordAudit, type AuditContext } from './audit.js';
import { assertOfficeScope, type Principal } from './principal.js';
import { officeForWrite } from './registry-businesses.js';
import { loadRegionIndex, officeCovers, outsideOffice, resolveRegion } from './registry.js';
import type { Column, Lang, Report } from './reports.js';
import { loadVisibleVisit } from './visits/visits.js';

type Source = AuditContext & { principal: Principal };
type SiteRow = typeof sites.$inferSelect;
const what = 'Lokasi / Site';

export const siteKinds = ['potential_area', 'idle_factory'] as const;
export const siteStates = ['identified', 'surveyed', 'offered', 'in_use', 'idle'] as const;

export const siteKindNames: Record<(typeof siteKinds)[number], Record<Lang, string>> = {
  potential_area: { id: 'Potensi kawasan industri', en: 'Potential industrial area' },
  idle_factory: { id: 'Pabrik tidak beroperasi', en: 'Idle factory' },
};
export const siteStateNames: Record<(typeof siteStates)[number], Record<Lang, string>> = {
  identified: { id: 'Teridentifikasi', en: 'Identified' },
  surveyed: { id: 'Sudah disurvei', en: 'Surveyed' },
  offered: { id: 'Ditawarkan ke investor', en: 'Offered to investors' },
  in_use: { id: 'Sudah dimanfaatkan', en: 'In use' },
  idle: { id: 'Terbengkalai', en: 'Idle' },
};

export interface SiteInput {
  kind: (typeof siteKinds)[number];
  name: string;
  regionCode: string;
  areaHa?: number | null | undefined;
  owner?: string | null | undefined;
  state: (typeof siteStates)[number];
  notes?: string | null | undefined;
  lastVisitId?: string | null | undefined;
}

export interface SiteFilter {
  officeId?: string | undefined;
  regionCode?: string | undefined;
  wilayah?: string | undefined;
  kind?: SiteInput['kind'] | undefined;
  state?: SiteInput['state'] | undefined;
  /** Sites never visited, or last visited this many months ago or longer (in their office's zone): due a visit. */
  notVisitedInMonths?: number | undefined;
}

function present(s: SiteRow, region: { name: string; wilayah: string | null }) {
  return {
    id: s.id,
    officeId: s.officeId,
    kind: s.kind,
    name: s.name,
    regionCode: s.regionCode,
    regionName: region.name,
    wilayah: region.wilayah,
    areaHa: s.areaHa === null ? null : Number(s.areaHa),
    owner: s.owner,
    state: s.state,
    lastVisitOn: s.lastVisitOn,
    lastVisitId: s.lastVisitId,
    notes: s.notes,
    updatedAt: s.updatedAt.toISOString(),
  };
}
export type SiteView = ReturnType<typeof present>;

async function checkedRegion(db: Db, office: { regionCode: string }, code: string) {
  const resolved = resolveRegion(
    await loadRegionIndex(db),
    { regionCode: code },
    {
      regionCode: 'body.regionCode',
      bpsCode: 'body.regionCode',
    },
  );
  if ('issue' in resolved) throw invalid('Wilayah tidak valid / Invalid region', [resolved.issue]);
  if (!officeCovers(office, resolved.region)) {
    throw invalid('Wilayah di luar kantor ini / Region outside this office', [
      { path: 'body.regionCode', message: outsideOffice(resolved.region) },
    ]);
  }
  return resolved.region;
}

/** The visit a site was last seen on: the office's own; the site keeps its date, and the visit joins its history. */
async function lastVisit(db: Db, principal: Principal, officeId: string, id: string | null | undefined) {
  if (!id) return { lastVisitId: null, lastVisitOn: null };
  const visit = await loadVisibleVisit(db, principal, id).catch(() => null);
  if (!visit || visit.officeId !== officeId) {
    throw invalid('Kunjungan tidak dikenal / Unknown visit', [
      { path: 'body.lastVisitId', message: 'bukan kunjungan kantor ini / not a visit of this office' },
    ]);
  }
  return { lastVisitId: visit.id, lastVisitOn: visit.date };
}

const areaText = (n: number | null | undefined) => (n === null || n === undefined ? n : n.toFixed(2));

export async function createSite(db: Db, source: Source, input: SiteInput & { officeId?: string | undefined }) {
  const office = await officeForWrite(db, source.principal, input.officeId, 'body.officeId');
  const region = await checkedRegion(db, office, input.regionCode);
  const visit = await lastVisit(db, source.principal, office.id, input.lastVisitId);
  const created = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(sites)
      .values({
        officeId: office.id,
        kind: input.kind,
        name: input.name,
        regionCode: region.code,
        areaHa: areaText(input.areaHa) ?? null,
        owner: input.owner ?? null,
        state: input.state,
        notes: input.notes ?? null,
        ...visit,
        createdBy: source.principal.userId,
      })
      .returning();
    if (visit.lastVisitId) await tx.insert(visitSites).values({ visitId: visit.lastVisitId, siteId: row!.id });
    await recordAudit(tx, source, {
      action: 'site.create',
      entityType: 'site',
      entityId: row!.id,
      officeId: office.id,
      after: row,
    });
    return row!;
  });
  return getSite(db, source.principal, created.id);
}

async function loadVisibleSite(db: Db, principal: Principal, id: string) {
  const [row] = await db
    .select({ site: sites, region: { name: regions.name, wilayah: regions.wilayah } })
    .from(sites)
    .innerJoin(regions, eq(regions.code, sites.regionCode))
    .where(eq(sites.id, id));
  if (!row) throw notFound(what);
  assertOfficeScope(principal, row.site.officeId, what);
  return row;
}

/** A site with the visits that saw it (visits.ts records them), the latest first, planned ones included. */
export async function getSite(db: Db, principal: Principal, id: string) {
  const { site, region } = await loadVisibleSite(db, principal, id);
  const seenOn = await db
    .select({ id: visits.id, date: visits.date, place: visits.place, status: visits.status })
    .from(visitSites)
    .innerJoin(visits, eq(visits.id, visitSites.visitId))
    .where(eq(visitSites.siteId, id))
    .orderBy(desc(visits.date), desc(visits.createdAt));
  return { ...present(site, region), visits: seenOn };
}
export type SiteDetail = Awaited<ReturnType<typeof getSite>>;

export async function updateSite(db: Db, source: Source, id: string, patch: Partial<SiteInput>) {
  const { site: before } = await loadVisibleSite(db, source.principal, id);
  const [office] = await db.select().from(offices).where(eq(offices.id, before.officeId));
  const region = patch.regionCode ? await checkedRegion(db, office!, patch.regionCode) : null;
  const { areaHa, lastVisitId, ...rest } = patch;
  const visit = lastVisitId !== undefined ? await lastVisit(db, source.principal, before.officeId, lastVisitId) : null;
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(sites)
      .set({
        ...rest,
        ...(region ? { regionCode: region.code } : {}),
        ...(areaHa !== undefined ? { areaHa: areaText(areaHa) } : {}),
        ...(visit ?? {}),
        updatedAt: new Date(),
      })
      .where(eq(sites.id, id))
      .returning();
    if (visit?.lastVisitId) {
      await tx.insert(visitSites).values({ visitId: visit.lastVisitId, siteId: id }).onConflictDoNothing();
    }
    await recordAudit(tx, source, {
      action: 'site.update',
      entityType: 'site',
      entityId: id,
      officeId: before.officeId,
      before,
      after: row,
    });
  });
  return getSite(db, source.principal, id);
}

function conditions(principal: Principal, f: SiteFilter): SQL | undefined {
  const scope = principal.role === 'admin' ? f.officeId : (principal.officeId ?? '');
  return and(
    scope ? eq(sites.officeId, scope) : undefined,
    f.regionCode ? eq(sites.regionCode, f.regionCode) : undefined,
    f.wilayah ? eq(regions.wilayah, f.wilayah) : undefined,
    f.kind ? eq(sites.kind, f.kind) : undefined,
    f.state ? eq(sites.state, f.state) : undefined,
    f.notVisitedInMonths ? dueForVisit(f.notVisitedInMonths) : undefined,
  );
}

/** Never visited, or last visited `months` months ago or longer, counted in the site's office's zone. */
const dueForVisit = (months: number) =>
  sql`(${sites.lastVisitOn} is null or ${sites.lastVisitOn} <= (
    select (now() at time zone ${offices.timeZone})::date - make_interval(months => ${months})
    from ${offices} where ${offices.id} = ${sites.officeId}))`;

/** After how many months without a visit the dashboard counts a site as due one. */
export const siteVisitDueMonths = 6;

/** An office's sites (every office's: undefined), and how many of them are due a visit, for the dashboard. */
export async function siteVisitCounts(db: Db, officeId: string | undefined) {
  const [row] = await db
    .select({
      total: count(),
      due: sql<number>`(count(*) filter (where ${dueForVisit(siteVisitDueMonths)}))::int`,
    })
    .from(sites)
    .where(officeId ? eq(sites.officeId, officeId) : undefined);
  return { total: row?.total ?? 0, dueForVisit: row?.due ?? 0 };
}

/** A page of the inventory, by kabupaten/kota then name, with the total for the filter. */
export async function listSites(
  db: Db,
  principal: Principal,
  f: SiteFilter & { limit: number; offset: number },
): Promise<{ items: SiteView[]; total: number }> {
  const where = conditions(principal, f);
  const [rows, [total]] = await Promise.all([
    db
      .select({ site: sites, region: { name: regions.name, wilayah: regions.wilayah } })
      .from(sites)
      .innerJoin(regions, eq(regions.code, sites.regionCode))
      .where(where)
      .orderBy(asc(regions.name), asc(sites.name), asc(sites.id))
      .limit(f.limit)
      .offset(f.offset),
    db.select({ n: count() }).from(sites).innerJoin(regions, eq(regions.code, sites.regionCode)).where(where),
  ]);
  return { items: rows.map((r) => present(r.site, r.region)), total: total?.n ?? 0 };
}

/** The whole filtered inventory as a report for CSV/XLSX, read a page at a time. */
export async function sitesReport(db: Db, principal: Principal, f: SiteFilter, lang: Lang): Promise<Report> {
  const col = (id: string, en: string, type: Column['type'] = 'text'): Column => ({ label: { id, en }, type });
  const [zone] = principal.officeId
    ? await db.select({ zone: offices.timeZone }).from(offices).where(eq(offices.id, principal.officeId))
    : [{ zone: 'Asia/Jakarta' }];
  const pageSize = 500;
  async function* rows() {
    for (let offset = 0; ; offset += pageSize) {
      const page = await listSites(db, principal, { ...f, limit: pageSize, offset });
      for (const s of page.items) {
        yield [
          siteKindNames[s.kind][lang],
          s.name,
          s.regionCode,
          s.regionName,
          s.wilayah,
          s.areaHa,
          s.owner,
          siteStateNames[s.state][lang],
          s.lastVisitOn,
          s.notes,
        ];
      }
      if (page.items.length < pageSize) return;
    }
  }
  return {
    name: 'sites',
    title: { id: 'Inventaris lokasi industri', en: 'Industrial site inventory' },
    zone: zone?.zone ?? 'Asia/Jakarta',
    columns: [
      col('Jenis', 'Kind'),
      col('Nama', 'Name'),
      col('Kode wilayah', 'Region code'),
      col('Kabupaten/kota', 'Kabupaten/kota'),
      col('Wilayah', 'Wilayah'),
      col('Luas (ha)', 'Area (ha)', 'decimal'),
      col('Pemilik', 'Owner'),
      col('Keadaan', 'State'),
      col('Kunjungan terakhir', 'Last visit', 'date'),
      col('Catatan', 'Notes'),
    ],
    rows: rows(),
  };
}

/** Sites by wilayah of the filter, for the table by wilayah; `sql` keeps the null wilayah of Kalsel as its own row. */
export async function sitesByWilayah(db: Db, principal: Principal, f: SiteFilter) {
  return db
    .select({
      wilayah: regions.wilayah,
      kind: sites.kind,
      n: count(),
      areaHa: sql<number>`coalesce(sum(${sites.areaHa}), 0)::float8`,
    })
    .from(sites)
    .innerJoin(regions, eq(regions.code, sites.regionCode))
    .where(conditions(principal, f))
    .groupBy(regions.wilayah, sites.kind)
    .orderBy(asc(regions.wilayah), asc(sites.kind));
}
