// Who may see which figures of the managers' dashboard, and the filters it and its reports share: an administrator
// sees every office or names one; a manager sees their own office only (naming another is refused, as everywhere);
// programme, year and region narrow the figures.
import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db } from '../db/client.js';
import { offices, programmes, regions } from '../db/schema.js';
import { forbidden, invalid } from '../domain/errors.js';
import type { Principal } from './principal.js';

export const wilayahs = ['I', 'II', 'III'] as const;

export interface DashboardFilter {
  /** Administrators only: one office. */
  officeId?: string;
  programmeKey?: string;
  /** The programme year; this year in the office's zone when absent. */
  year?: number;
  /** A kabupaten/kota (4 digits) or a province (2 digits), Kemendagri codes. */
  regionCode?: string;
  /** A province's grouping of its kabupaten/kota (Kaltim's wilayah I–III). */
  wilayah?: (typeof wilayahs)[number];
}

export interface OfficeInScope {
  id: string;
  name: string;
  regionCode: string;
  timeZone: string;
}

export interface RegionInScope {
  code: string;
  name: string;
  wilayah: string | null;
  provinceCode: string | null;
}

export interface DashboardScope {
  offices: OfficeInScope[];
  programmeKey: string | null;
  year: number;
  /** The kabupaten/kota the figures cover: the offices' area, narrowed by the region and wilayah filters. */
  regions: RegionInScope[];
  /** Whether a region or wilayah filter narrowed them (a quota for a whole office then does not apply). */
  regionFiltered: boolean;
  /** The zone "today", months and the year's end are read in: the (first) office's. */
  zone: string;
  now: number;
}

const officeMessage = 'hanya administrator yang memilih kantor / only administrators choose an office';

export async function resolveScope(
  db: Db,
  principal: Principal,
  filter: DashboardFilter,
  now = Date.now(),
): Promise<DashboardScope> {
  if (principal.role !== 'admin' && principal.role !== 'manager') {
    throw forbidden('Dasbor hanya untuk manajer dan administrator / The dashboard is for managers and administrators');
  }
  if (principal.role === 'manager' && filter.officeId && filter.officeId !== principal.officeId) {
    throw invalid(`Kantor lain / Another office: ${officeMessage}`, [{ path: 'officeId', message: officeMessage }]);
  }
  const officeId = principal.role === 'admin' ? filter.officeId : principal.officeId;
  if (principal.role === 'manager' && !officeId) {
    throw forbidden('Akun ini tidak terikat pada kantor / This account belongs to no office');
  }
  const officeRows = await db
    .select({ id: offices.id, name: offices.name, regionCode: offices.regionCode, timeZone: offices.timeZone })
    .from(offices)
    .where(officeId ? eq(offices.id, officeId) : undefined)
    .orderBy(offices.name);
  if (officeRows.length === 0) {
    throw invalid('Kantor tidak dikenal / Unknown office', [
      { path: 'officeId', message: 'kantor tidak dikenal / unknown office' },
    ]);
  }
  if (filter.programmeKey) {
    const [known] = await db
      .select({ key: programmes.key })
      .from(programmes)
      .where(eq(programmes.key, filter.programmeKey));
    if (!known) {
      throw invalid('Program tidak dikenal / Unknown programme', [
        { path: 'programmeKey', message: 'program tidak dikenal / unknown programme' },
      ]);
    }
  }
  const areaCodes = officeRows.map((o) => o.regionCode);
  const area = await db
    .select({ code: regions.code, name: regions.name, wilayah: regions.wilayah, provinceCode: regions.provinceCode })
    .from(regions)
    .where(
      or(
        inArray(regions.provinceCode, areaCodes),
        and(inArray(regions.code, areaCodes), sql`${regions.kind} <> 'province'`),
      ),
    )
    .orderBy(regions.code);
  const matches = (r: RegionInScope) =>
    (!filter.regionCode || r.code === filter.regionCode || r.provinceCode === filter.regionCode) &&
    (!filter.wilayah || r.wilayah === filter.wilayah);
  const inScope = area.filter(matches);
  if (
    filter.regionCode &&
    inScope.length === 0 &&
    !area.some((r) => r.code === filter.regionCode || r.provinceCode === filter.regionCode)
  ) {
    throw invalid('Wilayah di luar kantor / Region outside the office', [
      {
        path: 'regionCode',
        message: 'bukan kabupaten/kota atau provinsi kantor ini / not a kabupaten/kota or province of this office',
      },
    ]);
  }
  const zone = officeRows[0]!.timeZone;
  return {
    offices: officeRows,
    programmeKey: filter.programmeKey ?? null,
    year: filter.year ?? DateTime.fromMillis(now, { zone }).year,
    regions: inScope,
    regionFiltered: Boolean(filter.regionCode || filter.wilayah),
    zone,
    now,
  };
}

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/**
 * The scope as a condition on any table with office, programme, year and region columns (the summaries, or an
 * enrolment joined with its business). An empty region list matches nothing, as it should.
 */
export function scopeCondition(
  scope: DashboardScope,
  columns: { officeId: SQL; programmeKey: SQL; year: SQL; regionCode: SQL },
): SQL {
  const regionCodes = scope.regions.map((r) => r.code);
  return sql.join(
    [
      sql`${columns.officeId} in (${list(scope.offices.map((o) => o.id))})`,
      sql`${columns.year} = ${scope.year}`,
      scope.programmeKey ? sql`${columns.programmeKey} = ${scope.programmeKey}` : sql`true`,
      // One array parameter, not one per kabupaten/kota: a request asks this of a dozen statements, each built,
      // sent and bound with every code of the province otherwise.
      regionCodes.length > 0 ? sql`${columns.regionCode} = any(${sql.param(regionCodes)}::text[])` : sql`false`,
    ],
    sql` and `,
  );
}

/** The same columns on a summary table, by their names. */
export const summaryColumns = {
  officeId: sql.raw('office_id'),
  programmeKey: sql.raw('programme_key'),
  year: sql.raw('year'),
  regionCode: sql.raw('region_code'),
};

/** On enrolments `e` joined with their businesses `b`. */
export const enrolmentColumns = {
  officeId: sql.raw('e.office_id'),
  programmeKey: sql.raw('e.programme_key'),
  year: sql.raw('e.year'),
  regionCode: sql.raw('b.region_code'),
};

export { list as sqlList };
