// CSV import of the IKM registry, streamed: rows are parsed, checked and upserted on NIB in batches, so an 83,000-row
// file never sits in memory and a re-import updates what is there. Each bad row is reported with its line and why.
import { parse } from 'csv-parse';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAudit, type AuditContext } from './audit.js';
import type { Db } from '../db/client.js';
import { businesses, offices, sentra } from '../db/schema.js';
import {
  businessFieldsSchema,
  phoneSchema,
  loadRegionIndex,
  officeCovers,
  officeForRegion,
  type OfficeRow,
  outsideOffice,
  resolveRegion,
  type SentraRow,
} from './registry.js';

export interface ImportProgress {
  /** Data rows read so far (good and bad). */
  rows: number;
  imported: number;
  updated: number;
  rejected: number;
}

export interface ImportSummary {
  imported: number;
  updated: number;
  rejected: { line: number; reason: string }[];
}

/** The header cannot be used: nothing was imported. */
export class CsvHeaderError extends Error {
  constructor(readonly issues: string[]) {
    super(issues.join('; '));
  }
}

/** Column names, Indonesian or English; a header cell is lower-cased and its spaces and dashes become underscores. */
const columnAliases: Record<string, string[]> = {
  name: ['name', 'nama', 'nama_usaha', 'nama_ikm'],
  owner_name: ['owner_name', 'owner', 'pemilik', 'nama_pemilik'],
  nib: ['nib'],
  kbli: ['kbli'],
  region_code: ['region_code', 'kode_wilayah', 'kode_kemendagri'],
  bps_code: ['bps_code', 'kode_bps'],
  address: ['address', 'alamat'],
  phone: ['phone', 'telepon', 'no_hp', 'whatsapp', 'no_wa'],
  email: ['email', 'e_mail', 'surel'],
  products: ['products', 'produk'],
  workers: ['workers', 'tenaga_kerja', 'jumlah_pekerja'],
  export_oriented: ['export_oriented', 'orientasi_ekspor', 'ekspor'],
  sentra: ['sentra'],
  preferred_language: ['preferred_language', 'bahasa'],
};
const canonicalOf = new Map(
  Object.entries(columnAliases).flatMap(([canon, names]) => names.map((n) => [n, canon] as const)),
);
const requiredColumns = ['name', 'owner_name', 'nib', 'kbli'];

function headerColumns(header: string[]): string[] {
  const issues: string[] = [];
  const seen = new Set<string>();
  const columns = header.map((cell) => {
    const key = cell
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
    const canon = canonicalOf.get(key);
    if (!canon) {
      issues.push(`kolom tidak dikenal "${cell}" / unknown column "${cell}"`);
      return key;
    }
    if (seen.has(canon)) issues.push(`kolom ${canon} muncul dua kali / column ${canon} appears twice`);
    seen.add(canon);
    return canon;
  });
  for (const c of requiredColumns)
    if (!seen.has(c)) issues.push(`kolom wajib ${c} tidak ada / required column ${c} is missing`);
  if (!seen.has('region_code') && !seen.has('bps_code')) {
    issues.push('kolom region_code atau bps_code wajib ada / a region_code or bps_code column is required');
  }
  if (issues.length > 0) throw new CsvHeaderError(issues);
  return columns;
}

const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v);
const yes = new Set(['ya', 'y', 'true', '1', 'yes']);
const no = new Set(['tidak', 't', 'false', '0', 'no', 'n', '']);

const rowSchema = z.object({
  name: businessFieldsSchema.shape.name,
  owner_name: businessFieldsSchema.shape.ownerName,
  nib: businessFieldsSchema.shape.nib,
  kbli: businessFieldsSchema.shape.kbli,
  address: z.preprocess(blankToNull, z.string().trim().max(500).nullable()),
  phone: z.preprocess(blankToNull, phoneSchema.nullable()),
  email: z.preprocess(
    (v) => (typeof v === 'string' ? blankToNull(v.trim()) : v),
    z.email('alamat surel tidak valid / not a valid e-mail address').max(200).nullable(),
  ),
  products: z
    .string()
    .transform((v) =>
      v
        .split(/[|;,]/)
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(businessFieldsSchema.shape.products),
  workers: z.preprocess(
    blankToNull,
    z
      .string()
      .trim()
      .regex(/^\d+$/, 'harus bilangan bulat tidak negatif / must be a whole number ≥ 0')
      .transform(Number)
      .pipe(z.number().max(100_000))
      .nullable(),
  ),
  export_oriented: z.string().transform((v, ctx) => {
    const s = v.trim().toLowerCase();
    if (yes.has(s)) return true;
    if (no.has(s)) return false;
    ctx.addIssue({ code: 'custom', message: 'isi ya atau tidak / use ya (yes) or tidak (no)' });
    return z.NEVER;
  }),
  preferred_language: z.string().transform((v, ctx) => {
    const s = v.trim().toLowerCase() || 'id';
    if (s === 'id' || s === 'en') return s;
    ctx.addIssue({ code: 'custom', message: 'bahasa id atau en / language must be id or en' });
    return z.NEVER;
  }),
});

type Row = Record<string, string>;
type Insert = typeof businesses.$inferInsert;

/** The columns a re-import overwrites: only those the file has, so a file without a sentra column keeps memberships. */
function updateSet(columns: Set<string>) {
  const set: Record<string, unknown> = { updatedAt: sql`now()` };
  const take = (csv: string, column: keyof Insert, dbName: string) => {
    if (columns.has(csv)) set[column] = sql.raw(`excluded.${dbName}`);
  };
  take('name', 'name', 'name');
  take('owner_name', 'ownerName', 'owner_name');
  take('kbli', 'kbli', 'kbli');
  take('address', 'address', 'address');
  take('phone', 'phone', 'phone');
  take('email', 'email', 'email');
  take('products', 'products', 'products');
  take('workers', 'workers', 'workers');
  take('export_oriented', 'exportOriented', 'export_oriented');
  take('sentra', 'sentraId', 'sentra_id');
  take('preferred_language', 'preferredLanguage', 'preferred_language');
  set.regionCode = sql.raw('excluded.region_code');
  return set;
}

/** Blank lines the parser skipped before a record are at the start of its raw text. */
const leadingNewlines = (raw: string | undefined) => /^(?:[ \t]*\r?\n)*/.exec(raw ?? '')![0].split('\n').length - 1;

function parseErrorReason(err: { code?: string; message?: string }): string {
  switch (err.code) {
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return 'jumlah kolom tidak sama dengan baris kepala / the number of fields differs from the header';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'tanda kutip dibuka tetapi tidak ditutup sampai akhir berkas / a quote opens here and is never closed';
    case 'CSV_MAX_RECORD_SIZE':
      return 'baris terlalu panjang / the row is too long';
    default:
      return `baris CSV tidak dapat dibaca (${err.code ?? 'error'}) / unreadable CSV row (${err.code ?? 'error'})`;
  }
}

/**
 * Reads the start of the file up to its header line, to learn two things before parsing: the delimiter (Excel in
 * Indonesian locales writes ';', as ',' is the decimal mark) and how many lines come before the header that are not CSV:
 * blank lines and npm's "> script" banner, which `npm run generate:ikm > file.csv` writes into the file. The bytes after
 * those lines are passed on unchanged; reported line numbers count the skipped lines, so they are the file's own.
 */
async function prepareSource(input: Readable): Promise<{ source: Readable; delimiter: string; skippedLines: number }> {
  const it = input[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let ended = false;
  const preamble = /^(?:(?:[ \t]*|> [^\n]*)\r?\n)*/;
  let text: string;
  for (;;) {
    text = Buffer.concat(chunks).toString('latin1');
    const headerStart = preamble.exec(text)![0].length;
    if (ended || text.indexOf('\n', headerStart) !== -1) break;
    const next = await it.next();
    if (next.done) ended = true;
    else chunks.push(Buffer.isBuffer(next.value) ? next.value : Buffer.from(String(next.value)));
  }
  const skipped = preamble.exec(text)![0];
  const header = text.slice(skipped.length).split('\n', 1)[0] ?? '';
  const delimiter = (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
  const head = Buffer.concat(chunks).subarray(skipped.length);
  const source = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      if (ended) return;
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value as Buffer;
    })(),
    { objectMode: false },
  );
  return { source, delimiter, skippedLines: skipped.split('\n').length - 1 };
}

export async function importBusinessesCsv(
  db: Db,
  input: Readable,
  options: {
    source: AuditContext;
    /** Every row goes to this office; without it, each row to the office that covers its region. */
    officeId?: string;
    batchSize?: number;
    onProgress?: (p: ImportProgress) => void;
  },
): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 1000;
  const regionIndex = await loadRegionIndex(db);
  const allOffices = await db.select().from(offices);
  const fixedOffice: OfficeRow | undefined = options.officeId
    ? allOffices.find((o) => o.id === options.officeId)
    : undefined;
  if (options.officeId && !fixedOffice)
    throw new CsvHeaderError([`kantor ${options.officeId} tidak dikenal / unknown office ${options.officeId}`]);
  const sentraRows = await db
    .select()
    .from(sentra)
    .where(fixedOffice ? eq(sentra.officeId, fixedOffice.id) : undefined);
  const sentraByKey = new Map<string, SentraRow>();
  for (const s of sentraRows) {
    sentraByKey.set(`${s.officeId}:${s.name.toLowerCase()}`, s);
    sentraByKey.set(`${s.officeId}:${s.id}`, s);
  }

  const importId = randomUUID();
  const summary: ImportSummary = { imported: 0, updated: 0, rejected: [] };
  let rows = 0;
  let columns = new Set<string>();
  let batch: { line: number; values: Insert }[] = [];
  let batchNibs = new Set<string>();
  const reject = (line: number, reason: string) => summary.rejected.push({ line, reason });

  const flush = async () => {
    if (batch.length === 0) return;
    const pending = batch;
    batch = [];
    batchNibs = new Set();
    await db.transaction(async (tx) => {
      const written = await tx
        .insert(businesses)
        .values(pending.map((p) => p.values))
        .onConflictDoUpdate({
          target: businesses.nib,
          set: updateSet(columns),
          setWhere: sql`${businesses.officeId} = excluded.office_id`,
        })
        .returning({ id: businesses.id, nib: businesses.nib, inserted: sql<boolean>`(xmax = 0)` });
      const byNib = new Map(written.map((w) => [w.nib, w]));
      const created: string[] = [];
      const changed: string[] = [];
      for (const p of pending) {
        const w = byNib.get(p.values.nib);
        if (!w)
          reject(
            p.line,
            `NIB ${p.values.nib} terdaftar pada kantor lain / NIB ${p.values.nib} is registered with another office`,
          );
        else (w.inserted ? created : changed).push(w.id);
      }
      summary.imported += created.length;
      summary.updated += changed.length;
      await recordAudit(tx, options.source, {
        action: 'business.import',
        entityType: 'business_import',
        entityId: importId,
        officeId: fixedOffice?.id ?? null,
        after: { lines: [pending[0]!.line, pending[pending.length - 1]!.line], created, updated: changed },
      });
    });
    options.onProgress?.({
      rows,
      imported: summary.imported,
      updated: summary.updated,
      rejected: summary.rejected.length,
    });
  };

  const checkRow = (record: Row): Insert | string => {
    // Postgres text cannot hold NUL; one such row must not fail its whole batch.
    if (Object.values(record).some((v) => v.includes('\0'))) return 'berisi karakter NUL / contains a NUL character';
    const parsed = rowSchema.safeParse({
      ...record,
      products: record.products ?? '',
      export_oriented: record.export_oriented ?? '',
      preferred_language: record.preferred_language ?? '',
      address: record.address ?? '',
      phone: record.phone ?? '',
      email: record.email ?? '',
      workers: record.workers ?? '',
    });
    const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    const resolved = resolveRegion(
      regionIndex,
      { regionCode: record.region_code?.trim(), bpsCode: record.bps_code?.trim() },
      { regionCode: 'region_code', bpsCode: 'bps_code' },
    );
    let office = fixedOffice;
    let regionCode: string | null = null;
    let sentraId: string | null = null;
    if ('issue' in resolved) {
      issues.push(`${resolved.issue.path}: ${resolved.issue.message}`);
    } else {
      const region = resolved.region;
      office ??= officeForRegion(allOffices, region);
      if (!office) issues.push(`region_code: tidak ada kantor untuk ${region.name} / no office covers ${region.name}`);
      else if (!officeCovers(office, region)) issues.push(`region_code: ${outsideOffice(region)}`);
      else regionCode = region.code;
      const named = record.sentra?.trim();
      if (named && office && regionCode) {
        const s = sentraByKey.get(`${office.id}:${named.toLowerCase()}`);
        if (!s) issues.push(`sentra: "${named}" tidak dikenal di kantor ini / no sentra "${named}" in this office`);
        else if (s.regionCode !== regionCode)
          issues.push(`sentra: ${s.name} ada di wilayah ${s.regionCode} / ${s.name} is in region ${s.regionCode}`);
        else sentraId = s.id;
      }
    }
    if (issues.length > 0 || !parsed.success || !office || !regionCode) return issues.join('; ');
    const r = parsed.data;
    return {
      officeId: office.id,
      name: r.name,
      ownerName: r.owner_name,
      nib: r.nib,
      kbli: r.kbli,
      regionCode,
      address: r.address,
      phone: r.phone,
      email: r.email,
      products: r.products,
      workers: r.workers,
      exportOriented: r.export_oriented,
      sentraId,
      preferredLanguage: r.preferred_language,
    };
  };

  const { source, delimiter, skippedLines } = await prepareSource(input);
  // Where each record starts, tracked in parse order: the parser reports where a record ends, a quoted field may span
  // lines, and a record's raw text begins with the blank lines skipped before it.
  let lastEnd = 1;
  const startOf = (raw: string | undefined, endLine: number) => {
    const start = lastEnd + 1 + leadingNewlines(raw);
    lastEnd = endLine;
    return skippedLines + start;
  };
  const parser = parse({
    columns: (header: string[]) => {
      const names = headerColumns(header);
      columns = new Set(names);
      return names;
    },
    delimiter,
    bom: true,
    raw: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (parsed: { record: Row }, context) => ({
      record: parsed.record,
      line: startOf(context.raw, context.lines),
    }),
    on_skip: (err) => {
      if (!err) return;
      rows++;
      reject(startOf(typeof err.raw === 'string' ? err.raw : undefined, Number(err.lines)), parseErrorReason(err));
    },
  });

  try {
    await pipeline(source, parser, async (records: AsyncIterable<{ record: Row; line: number }>) => {
      for await (const { record, line } of records) {
        rows++;
        const checked = checkRow(record);
        if (typeof checked === 'string') {
          reject(line, checked);
          continue;
        }
        if (batchNibs.has(checked.nib)) await flush();
        batch.push({ line, values: checked });
        batchNibs.add(checked.nib);
        if (batch.length >= batchSize) await flush();
      }
      await flush();
    });
  } catch (err) {
    throw findHeaderError(err) ?? err;
  }
  if (columns.size === 0)
    throw new CsvHeaderError(['berkas kosong, tanpa baris kepala / the file is empty, with no header row']);
  summary.rejected.sort((a, b) => a.line - b.line);
  options.onProgress?.({
    rows,
    imported: summary.imported,
    updated: summary.updated,
    rejected: summary.rejected.length,
  });
  return summary;
}

function findHeaderError(err: unknown): CsvHeaderError | null {
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (e instanceof CsvHeaderError) return e;
  return null;
}
