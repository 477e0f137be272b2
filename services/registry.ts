// The IKM registry's rules, shared by the API and the CSV import: what a valid business looks like, which region a
// Kemendagri or BPS code names, which office covers a region, which sentra a business may join.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type FieldIssue } from '../domain/errors.js';
import type { DbOrTx } from '../db/client.js';
import { type businesses, certificates, type offices, regions, sentra } from '../db/schema.js';

export const nibSchema = z
  .string()
  .trim()
  .regex(/^\d{13}$/, 'NIB harus 13 digit angka / NIB must be 13 digits');
export const kbliSchema = z
  .string()
  .trim()
  .regex(/^\d{5}$/, 'KBLI harus 5 digit angka / KBLI must be 5 digits');
export const kemendagriCodeSchema = z
  .string()
  .trim()
  .regex(/^\d{4}$/, 'kode kabupaten/kota Kemendagri 4 digit / 4-digit Kemendagri kabupaten/kota code');
export const bpsCodeSchema = z
  .string()
  .trim()
  .regex(/^\d{4}$/, 'kode kabupaten/kota BPS 4 digit / 4-digit BPS kabupaten/kota code');

/** Indonesian numbers as written locally (0812…, 62812…, +62 812-…) become +62…, the form WhatsApp needs. */
export function normalisePhone(raw: string): string | null {
  const compact = raw.replace(/[\s().-]/g, '');
  const digits = compact.startsWith('+') ? compact.slice(1) : compact;
  if (!/^\d+$/.test(digits)) return null;
  const national = digits.startsWith('62') ? digits.slice(2) : digits.startsWith('0') ? digits.slice(1) : null;
  if (national === null || !/^[1-9]\d{6,12}$/.test(national)) return null;
  return `+62${national}`;
}

export const phoneSchema = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const phone = normalisePhone(v);
    if (!phone) {
      ctx.addIssue({
        code: 'custom',
        message:
          'nomor telepon/WhatsApp Indonesia tidak valid (mis. 0812…) / not a valid Indonesian phone/WhatsApp number (e.g. 0812…)',
      });
      return z.NEVER;
    }
    return phone;
  });

export const certificateInputSchema = z
  .object({
    kind: z.enum(['halal', 'haki', 'tkdn', 'sni', 'other']),
    number: z.string().trim().min(3).max(100),
    issuedOn: z.iso.date('tanggal YYYY-MM-DD / date as YYYY-MM-DD'),
    scope: z.string().trim().min(2).max(500),
  })
  .strict();

/** The fields of a business anyone may write (office, status and ids never come from here). */
export const businessFieldsSchema = z.object({
  name: z.string().trim().min(2, 'nama usaha minimal 2 huruf / name needs at least 2 characters').max(200),
  ownerName: z.string().trim().min(2, 'nama pemilik minimal 2 huruf / owner name needs at least 2 characters').max(200),
  nib: nibSchema,
  kbli: kbliSchema,
  address: z.string().trim().max(500).nullable().optional(),
  phone: phoneSchema.nullable().optional(),
  email: z.email('alamat surel tidak valid / not a valid e-mail address').max(200).nullable().optional(),
  products: z.array(z.string().trim().min(1).max(100)).max(50),
  workers: z.number().int().min(0, 'tidak boleh negatif / must not be negative').max(100_000).nullable().optional(),
  exportOriented: z.boolean(),
  preferredLanguage: z.enum(['id', 'en']),
});

export type RegionRow = typeof regions.$inferSelect;
export type OfficeRow = typeof offices.$inferSelect;

/** The regions by either code system; small (tens of rows), so callers load it once per request or import. */
export interface RegionIndex {
  byCode: Map<string, RegionRow>;
  byBps: Map<string, RegionRow>;
}

export async function loadRegionIndex(db: DbOrTx): Promise<RegionIndex> {
  const rows = await db.select().from(regions);
  return { byCode: new Map(rows.map((r) => [r.code, r])), byBps: new Map(rows.map((r) => [r.bpsCode, r])) };
}

/**
 * The kabupaten/kota a business is in, from a Kemendagri code or a BPS code. The two systems reuse each other's numbers
 * for different Kaltim kabupaten (6403 is Berau at Kemendagri, Kutai Kartanegara at BPS), so the caller says which one
 * it gives, and a code given in the wrong system is refused with a hint rather than silently taken for another place.
 */
export function resolveRegion(
  index: RegionIndex,
  given: { regionCode?: string | null; bpsCode?: string | null },
  paths: { regionCode: string; bpsCode: string },
): { region: RegionRow } | { issue: FieldIssue } {
  const { regionCode, bpsCode } = given;
  if (regionCode) {
    const region = index.byCode.get(regionCode);
    if (!region || region.kind === 'province') {
      const asBps = index.byBps.get(regionCode);
      const hint =
        asBps && asBps.kind !== 'province'
          ? `; sebagai kode BPS itu ${asBps.name} (Kemendagri ${asBps.code}) / as a BPS code it is ${asBps.name} (Kemendagri ${asBps.code})`
          : '';
      return {
        issue: {
          path: paths.regionCode,
          message: `kode Kemendagri ${regionCode} bukan kabupaten/kota yang dikenal / ${regionCode} is not a known Kemendagri kabupaten/kota code${hint}`,
        },
      };
    }
    if (bpsCode && region.bpsCode !== bpsCode) {
      return {
        issue: {
          path: paths.bpsCode,
          message: `kode BPS ${bpsCode} bukan ${region.name} (BPS ${region.bpsCode}) / BPS code ${bpsCode} is not ${region.name} (BPS ${region.bpsCode})`,
        },
      };
    }
    return { region };
  }
  if (bpsCode) {
    const region = index.byBps.get(bpsCode);
    if (!region || region.kind === 'province') {
      return {
        issue: {
          path: paths.bpsCode,
          message: `kode BPS ${bpsCode} bukan kabupaten/kota yang dikenal / ${bpsCode} is not a known BPS kabupaten/kota code`,
        },
      };
    }
    return { region };
  }
  return {
    issue: {
      path: paths.regionCode,
      message: 'kode wilayah wajib (Kemendagri atau BPS) / a region code is required (Kemendagri or BPS)',
    },
  };
}

/** An office covers its own region and, for a provincial office, every kabupaten/kota of its province. */
export function officeCovers(
  office: Pick<OfficeRow, 'regionCode'>,
  region: Pick<RegionRow, 'code' | 'provinceCode'>,
): boolean {
  return region.code === office.regionCode || region.provinceCode === office.regionCode;
}

export const outsideOffice = (region: RegionRow) =>
  `${region.name} (${region.code}) di luar wilayah kantor ini / ${region.name} (${region.code}) is outside this office's area`;

/** The office most specific to a region: a kabupaten/kota office before the provincial one. */
export function officeForRegion(all: OfficeRow[], region: RegionRow): OfficeRow | undefined {
  return all.find((o) => o.regionCode === region.code) ?? all.find((o) => o.regionCode === region.provinceCode);
}

export type SentraRow = typeof sentra.$inferSelect;

export function sentraIssue(
  s: SentraRow | undefined,
  officeId: string,
  region: RegionRow,
  path: string,
): FieldIssue | null {
  if (!s || s.officeId !== officeId)
    return { path, message: 'sentra tidak dikenal di kantor ini / no such sentra in this office' };
  if (s.regionCode !== region.code) {
    return {
      path,
      message: `sentra ${s.name} ada di wilayah ${s.regionCode}, bukan ${region.code} / sentra ${s.name} is in region ${s.regionCode}, not ${region.code}`,
    };
  }
  return null;
}

export type BusinessRow = typeof businesses.$inferSelect;

/** A business as the API shows it: the Kemendagri region with its name, its sentra, the certificates it holds. */
export async function presentBusinesses(db: DbOrTx, rows: BusinessRow[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [regionRows, sentraRows, certs] = await Promise.all([
    db
      .select({ code: regions.code, name: regions.name })
      .from(regions)
      .where(inArray(regions.code, [...new Set(rows.map((r) => r.regionCode))])),
    db
      .select({ id: sentra.id, name: sentra.name })
      .from(sentra)
      .where(inArray(sentra.id, [...new Set(rows.flatMap((r) => (r.sentraId ? [r.sentraId] : [])))])),
    db.select().from(certificates).where(inArray(certificates.businessId, ids)).orderBy(asc(certificates.issuedOn)),
  ]);
  const regionName = new Map(regionRows.map((r) => [r.code, r.name]));
  const sentraName = new Map(sentraRows.map((s) => [s.id, s.name]));
  return rows.map((b) => {
    const held = certs.filter((c) => c.businessId === b.id);
    return {
      id: b.id,
      officeId: b.officeId,
      name: b.name,
      ownerName: b.ownerName,
      nib: b.nib,
      kbli: b.kbli,
      regionCode: b.regionCode,
      regionName: regionName.get(b.regionCode) ?? b.regionCode,
      address: b.address,
      phone: b.phone,
      email: b.email,
      products: b.products,
      workers: b.workers,
      exportOriented: b.exportOriented,
      sentra: b.sentraId ? { id: b.sentraId, name: sentraName.get(b.sentraId) ?? '' } : null,
      preferredLanguage: b.preferredLanguage,
      certified: held.some((c) => c.status === 'valid'),
      certificates: held.map((c) => ({
        id: c.id,
        kind: c.kind,
        number: c.number,
        issuedOn: c.issuedOn,
        scope: c.scope,
        status: c.status,
        enrolmentId: c.enrolmentId,
      })),
      createdAt: b.createdAt.toISOString(),
      updatedAt: b.updatedAt.toISOString(),
    };
  });
}

/** Certificates recorded by hand (not issued through an enrolment) are replaced as a whole by a business update. */
export async function replaceRecordedCertificates(
  tx: DbOrTx,
  businessId: string,
  list: z.infer<typeof certificateInputSchema>[],
) {
  await tx
    .delete(certificates)
    .where(and(eq(certificates.businessId, businessId), sql`${certificates.enrolmentId} is null`));
  if (list.length > 0) await tx.insert(certificates).values(list.map((c) => ({ ...c, businessId })));
}
