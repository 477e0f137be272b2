import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowCounts } from '../helpers/db.js';
import { createRegistryContext, type RegistryContext } from './context.js';

const header =
  'nama,pemilik,nib,kbli,kode_wilayah,kode_bps,alamat,telepon,email,produk,tenaga_kerja,orientasi_ekspor,sentra,bahasa';

/** Lines numbered as an officer sees them in an editor: the header is line 1. */
const file = [
  header, // 1
  'Amplang Acil Ipah,Hj. Norhayati,9300000000001,10213,6371,,"Jl. Kuin Utara RT 05",0812 5123 4567,,amplang|kerupuk ikan,6,ya,Sentra Pengolahan Ikan Kuin,id', // 2
  'Bingka Nini,Siti Aminah,930000000002,10792,6371,,,,,,,,,', // 3: NIB of 12 digits
  'Sasirangan Galuh,Rabiatul Adawiyah,9300000000003,13134,6371,,"Jl. Sungai Jingah', // 4: the address spans two lines
  'RT 12",,galuh@example.id,kain sasirangan,4,tidak,Sentra Sasirangan Sungai Jingah,en', // 5
  'Dodol Umay,Fatimah Hasan,9300000000004,10792,6399,,,,,,,,,', // 6: no such kabupaten/kota
  '', // 7: empty, skipped
  'Wadai Julak,Abdul Gani,9300000000005,10792', // 8: too few fields
  'Tanggui Kuin,Rusmini,9300000000006,16292,6371,,,,,tanggui,3,tidak,Sentra Tidak Ada,id', // 9: unknown sentra
  'Ulin Kutai,Rahmat Basri,9300000000007,16101,,6403,,,,papan ulin,12,tidak,,id', // 10: BPS 6403 is Kutai Kartanegara, outside Kalsel
  'Kopi Aranio,Ahmad Rifani,9300000000008,11040,,6303,,081333444555,kopi@example.id,kopi aranio,2,mungkin,,id', // 11: export flag
  'Keripik Kelakai,Mariani,9300000000009,10794,6372,,,,,keripik kelakai,-2,tidak,,id', // 12: negative workers
  'Amplang Acil Ipah Baru,Hj. Norhayati,9300000000001,10213,6371,,,,,amplang,7,ya,,id', // 13: the NIB of line 2 again: an update
  'Kue Lam,Salasiah,9300000000010,10710,6372,,,,,kue lam,5,tidak,,id', // 14
  'Kopi Aranio Asli,Ahmad Rifani,9300000000011,11040,,6303,,081333444555,kopi@example.id,kopi aranio,2,ya,,id', // 15: BPS code only
].join('\n');

const expectedRejected = [
  { line: 3, reason: expect.stringMatching(/^nib: NIB harus 13 digit .* \/ NIB must be 13 digits/) },
  { line: 6, reason: expect.stringMatching(/region_code: .*6399.* \/ 6399 is not a known Kemendagri/) },
  { line: 8, reason: expect.stringMatching(/jumlah kolom .* \/ the number of fields differs/) },
  { line: 9, reason: expect.stringMatching(/^sentra: .*Sentra Tidak Ada/) },
  { line: 10, reason: expect.stringMatching(/Kutai Kartanegara \(6402\) .* outside this office/) },
  { line: 11, reason: expect.stringMatching(/^export_oriented: .*ya \(yes\) or tidak \(no\)/) },
  { line: 12, reason: expect.stringMatching(/^workers: /) },
];

describe('CSV import of the registry', () => {
  let c: RegistryContext;
  beforeAll(async () => {
    c = await createRegistryContext();
  });
  afterAll(() => c.close());

  const importCsv = (body: string, headers: Record<string, string> = c.as.officer, query = '') =>
    c.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/import${query}`,
      headers: { ...headers, 'content-type': 'text/csv' },
      payload: body,
    });

  it('keeps the good rows and reports each bad one with its line and reason, in both languages', async () => {
    const res = await importCsv(file);
    expect(res.statusCode).toBe(200);
    const summary = res.json();
    expect(summary).toEqual({ imported: 4, updated: 1, rejected: expectedRejected });
    const rows = await c.database.sql<
      {
        nib: string;
        name: string;
        region_code: string;
        phone: string | null;
        address: string | null;
        sentra: string | null;
        preferred_language: string;
        export_oriented: boolean;
      }[]
    >`
      select b.nib, b.name, b.region_code, b.phone, b.address, s.name as sentra, b.preferred_language, b.export_oriented
      from businesses b left join sentra s on s.id = b.sentra_id where b.nib like '93%' order by b.nib`;
    expect(rows.map((r) => r.nib)).toEqual(['9300000000001', '9300000000003', '9300000000010', '9300000000011']);
    // Line 13 updated line 2's business; its empty sentra cell left it outside any sentra.
    expect(rows[0]).toMatchObject({ name: 'Amplang Acil Ipah Baru', phone: null, export_oriented: true, sentra: null });
    expect(rows[1]).toMatchObject({
      address: 'Jl. Sungai Jingah\nRT 12',
      sentra: 'Sentra Sasirangan Sungai Jingah',
      preferred_language: 'en',
    });
    expect(rows[3]).toMatchObject({ region_code: '6303', phone: '+6281333444555', export_oriented: true });
  });

  it('updates on a re-import instead of duplicating, and audits each batch', async () => {
    const before = (await c.database.sql<{ n: number }[]>`select count(*)::int as n from businesses`)[0]!.n;
    const res = await importCsv(file.replace('Kue Lam,', 'Kue Lam Salasiah,'));
    expect(res.json()).toMatchObject({ imported: 0, updated: 5 });
    expect((await c.database.sql<{ n: number }[]>`select count(*)::int as n from businesses`)[0]!.n).toBe(before);
    const [kueLam] = await c.database.sql<{ name: string }[]>`select name from businesses where nib = '9300000000010'`;
    expect(kueLam!.name).toBe('Kue Lam Salasiah');
    // One audit row per batch; a NIB seen twice in the file starts a new batch, so this import wrote two.
    const audits = await c.database.sql<{ after: { created: string[]; updated: string[] } }[]>`
      select after from audit_log where entity_id = (select entity_id from audit_log where action = 'business.import' order by id desc limit 1)`;
    expect(audits.flatMap((a) => a.after.updated)).toHaveLength(5);
    expect(audits.flatMap((a) => a.after.created)).toHaveLength(0);
  });

  it('never overwrites a business of another office: that row is rejected', async () => {
    const res = await importCsv(
      `${header}\nUlin Samarinda,Zainal,9300000000007,16101,6472,,,,,papan ulin,3,tidak,,id\n`,
      c.as.kaltimOfficer,
    );
    expect(res.json()).toMatchObject({ imported: 1 });
    const again = await importCsv(
      `${header}\nUlin Kalsel,Zainal,9300000000007,16101,6371,,,,,papan ulin,3,tidak,,id\n`,
    );
    expect(again.json()).toEqual({
      imported: 0,
      updated: 0,
      rejected: [{ line: 2, reason: expect.stringMatching(/registered with another office/) }],
    });
    const [row] = await c.database.sql<{ name: string }[]>`select name from businesses where nib = '9300000000007'`;
    expect(row!.name).toBe('Ulin Samarinda');
  });

  it('reads semicolon-separated files (Excel in Indonesian) and English column names', async () => {
    const res = await importCsv(
      'name;owner_name;nib;kbli;region_code;workers\nBingka Barandam;Hamidah;9300000000020;10792;6371;4\n',
    );
    expect(res.json()).toEqual({ imported: 1, updated: 0, rejected: [] });
  });

  it("skips npm's banner above the header and still counts lines as the file has them", async () => {
    const banner = '\n> pendamping@0.1.0 generate:ikm\n> node --import tsx scripts/generate-ikm.ts --rows 2\n\n';
    const res = await importCsv(`${banner}${header}\nBad Row,Someone,123,10792,6371,,,,,,,,,\n`);
    expect(res.json().rejected).toEqual([{ line: 6, reason: expect.stringMatching(/^nib:/) }]);
  });

  it('reports a quote never closed at the line where it opens', async () => {
    const res = await importCsv(
      `${header}\nKue Lam,Salasiah,9300000000030,10710,6372,,"Jl. Veteran,,,,,,,\nKue Lapis,Salasiah,9300000000031,10710,6372,,,,,,,,,\n`,
    );
    expect(res.json()).toEqual({
      imported: 0,
      updated: 0,
      rejected: [{ line: 2, reason: expect.stringMatching(/never closed/) }],
    });
  });

  it.each([
    ['nama,nib,kbli,kode_wilayah\n', /pemilik|owner_name/],
    ['nama,pemilik,nib,kbli\n', /region_code or bps_code/],
    ['nama,pemilik,nib,kbli,kode_wilayah,warna\n', /unknown column "warna"/],
    ['', /empty/],
  ])('refuses the header of %j with 400, writing nothing', async (body, message) => {
    const before = await rowCounts(c.database);
    const res = await importCsv(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(message);
    expect(await rowCounts(c.database)).toEqual(before);
  });

  it('streams progress per batch of rows and then the summary when asked for NDJSON', async () => {
    const rows = Array.from(
      { length: 2500 },
      (_, i) => `UD Uji ${i},Pemilik ${i},94${String(i).padStart(11, '0')},10792,6371`,
    );
    const res = await c.app.inject({
      method: 'POST',
      url: '/api/v1/businesses/import',
      headers: { ...c.as.officer, 'content-type': 'text/csv', accept: 'application/x-ndjson' },
      payload: ['nama,pemilik,nib,kbli,kode_wilayah', ...rows].join('\n'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'progress').map((l) => l.rows)).toEqual([1000, 2000, 2500]);
    expect(lines.at(-1)).toEqual({ type: 'summary', imported: 2500, updated: 0, rejected: [] });

    const badHeader = await c.app.inject({
      method: 'POST',
      url: '/api/v1/businesses/import',
      headers: { ...c.as.officer, 'content-type': 'text/csv', accept: 'application/x-ndjson' },
      payload: 'apa,ini\n1,2',
    });
    expect(badHeader.statusCode).toBe(400);
    expect(badHeader.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('asks for text/csv (415), names the office rule (400) and refuses a file over 50 MB (413)', async () => {
    const json = await c.app.inject({
      method: 'POST',
      url: '/api/v1/businesses/import',
      headers: c.as.officer,
      payload: { rows: [] },
    });
    expect(json.statusCode).toBe(415);
    const admin = await importCsv(file, c.as.admin);
    expect(admin.statusCode).toBe(400);
    expect(admin.json().errors[0].path).toBe('querystring.officeId');
    const officer = await importCsv(file, c.as.officer, `?officeId=${c.kaltimId}`);
    expect(officer.statusCode).toBe(400);
    const big = await importCsv(header, { ...c.as.officer, 'content-length': String(51 * 1024 * 1024) });
    expect(big.statusCode).toBe(413);
    expect(
      (
        await c.app.inject({
          method: 'POST',
          url: '/api/v1/businesses/import',
          headers: { ...c.as.business, 'content-type': 'text/csv' },
          payload: file,
        })
      ).statusCode,
    ).toBe(403);
  });
});

describe('the generator and the import CLI', () => {
  let c: RegistryContext;
  beforeAll(async () => {
    c = await createRegistryContext();
  });
  afterAll(() => c.close());

  function run(
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('generates valid Kalsel rows with the invalid share asked for, which the CLI imports and reports', async () => {
    const generated = await run(['scripts/generate-ikm.ts', '--rows', '3000', '--invalid', '0.02', '--seed', '7']);
    expect(generated.code).toBe(0);
    const invalid = Number(/\((\d+) invalid\)/.exec(generated.stderr)![1]);
    expect(invalid).toBeGreaterThan(20);
    const dir = mkdtempSync(join(tmpdir(), 'pendamping-ikm-'));
    const path = join(dir, 'ikm.csv');
    writeFileSync(path, generated.stdout);

    const first = await run(['scripts/import.ts', path, '--office', c.kalselId], { DATABASE_URL: c.database.url });
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary.imported).toBe(3000 - invalid);
    expect(summary.rejected).toHaveLength(invalid);
    expect(first.stderr).toMatch(/rows\/s/);
    // The generator's NIBs are fixed for a seed, so a second import of the same file updates every good row.
    const second = JSON.parse(
      (await run(['scripts/import.ts', path, '--office', c.kalselId], { DATABASE_URL: c.database.url })).stdout,
    );
    expect(second).toMatchObject({ imported: 0, updated: 3000 - invalid });
    const [bps] = await c.database.sql<
      { n: number }[]
    >`select count(distinct region_code)::int as n from businesses where nib like '97%'`;
    expect(bps!.n).toBe(13);
  });

  it('exits non-zero with a message for a file it cannot use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pendamping-ikm-'));
    writeFileSync(join(dir, 'bad.csv'), 'colour,size\nred,3\n');
    const res = await run(['scripts/import.ts', join(dir, 'bad.csv')], { DATABASE_URL: c.database.url });
    expect(res.stderr).toMatch(/unknown column "colour"/);
    expect(res.code).toBe(1);
    expect((await run(['scripts/import.ts'], { DATABASE_URL: c.database.url })).code).toBe(2);
  });
});
