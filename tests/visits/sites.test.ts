// The site inventory through the API: Kaltim's sites by wilayah, filters and paging, the CSV and XLSX exports (the CSV
// gzipped for a client that accepts it), and another office's site is 404.
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { offices } from '../../db/schema.js';
import type { TestDatabase } from '../helpers/db.js';
import { createToken, createUser, kalselOffice } from '../helpers/fixtures.js';
import { apiCaller, startTestStack, type ApiCall, type TestStack } from '../helpers/stack.js';

describe('site inventory', () => {
  let database: TestDatabase;
  let stack: TestStack;
  let app: App;
  let token: string;
  let call: ApiCall;
  let kalselToken: string;

  beforeAll(async () => {
    stack = await startTestStack();
    ({ database, app } = stack);
    const [kaltim] = await database.db.select().from(offices).where(eq(offices.regionCode, '64'));
    token = await createToken(database.db, (await createUser(database.db, 'officer', kaltim!.id)).id);
    call = apiCaller(app, token);
    kalselToken = await createToken(
      database.db,
      (await createUser(database.db, 'officer', (await kalselOffice(database.db)).id)).id,
    );
  });

  afterAll(async () => {
    await stack?.stop();
  });

  // Wilayah I: Balikpapan (6471), Paser (6401); II: Samarinda (6472), Bontang (6474); III: Kutai Kartanegara (6402).
  const seed = [
    { kind: 'potential_area', name: 'Kawasan Industri Kariangau', regionCode: '6471', areaHa: 2189, state: 'offered' },
    {
      kind: 'idle_factory',
      name: 'Eks pabrik kayu lapis Tanah Grogot',
      regionCode: '6401',
      areaHa: 12.5,
      state: 'idle',
    },
    { kind: 'potential_area', name: 'KIK Loa Bakung', regionCode: '6472', areaHa: 8.75, state: 'surveyed' },
    {
      kind: 'idle_factory',
      name: 'Eks pabrik es Bontang Kuala',
      regionCode: '6474',
      state: 'idle',
      owner: 'PT Es Jaya',
    },
    {
      kind: 'potential_area',
      name: 'Kawasan Industri Sangasanga',
      regionCode: '6402',
      areaHa: 400,
      state: 'identified',
    },
  ];
  let ids: string[] = [];

  it('adds sites, refusing a kabupaten outside the office and an area that is not positive', async () => {
    ids = [];
    for (const site of seed) {
      const res = await call('POST', '/api/v1/sites', site);
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
    }
    const outside = await call('POST', '/api/v1/sites', { ...seed[0], regionCode: '6371' });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().errors[0].path).toBe('body.regionCode');
    const negative = await call('POST', '/api/v1/sites', { ...seed[0], areaHa: -3 });
    expect(negative.statusCode).toBe(400);
    expect(negative.json().errors[0].path).toBe('body.areaHa');
  });

  it('lists by kabupaten/kota and name, filtered by wilayah, kind and state, in pages', async () => {
    const wilayahI = await call('GET', '/api/v1/sites?wilayah=I');
    expect(wilayahI.json().items.map((s: { name: string }) => s.name)).toEqual([
      'Kawasan Industri Kariangau',
      'Eks pabrik kayu lapis Tanah Grogot',
    ]);
    expect(wilayahI.json().total).toBe(2);
    const idle = await call('GET', '/api/v1/sites?kind=idle_factory&state=idle');
    expect(
      idle
        .json()
        .items.map((s: { regionName: string }) => s.regionName)
        .sort(),
    ).toEqual(['Bontang', 'Paser']);

    const first = (await call('GET', '/api/v1/sites?limit=2')).json();
    const second = (await call('GET', '/api/v1/sites?limit=2&offset=2')).json();
    const third = (await call('GET', '/api/v1/sites?limit=2&offset=4')).json();
    expect(first.total).toBe(5);
    const paged = [...first.items, ...second.items, ...third.items].map((s: { id: string }) => s.id);
    expect(new Set(paged).size).toBe(5);
    expect(paged.sort()).toEqual([...ids].sort());

    const byWilayah = (await call('GET', '/api/v1/sites/by-wilayah')).json().items;
    expect(byWilayah).toContainEqual({ wilayah: 'III', kind: 'potential_area', n: 1, areaHa: 400 });
  });

  it('exports the filtered inventory as CSV and XLSX with the same rows', async () => {
    const csv = await call('GET', '/api/v1/sites/export?wilayah=II&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = parse(csv.body.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r['Nama'])).toEqual(['Eks pabrik es Bontang Kuala', 'KIK Loa Bakung']);
    expect(rows[1]).toMatchObject({ Wilayah: 'II', 'Luas (ha)': '8.75', Keadaan: 'Sudah disurvei' });
    // A client that accepts gzip gets the same CSV gzipped; a workbook, a zip already, goes as it is.
    const gzipped = await app.inject({
      method: 'GET',
      url: '/api/v1/sites/export?wilayah=II&format=csv',
      headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' },
    });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.rawPayload).toString()).toBe(csv.body);
    const workbook = await app.inject({
      method: 'GET',
      url: '/api/v1/sites/export?wilayah=II&format=xlsx',
      headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' },
    });
    expect(workbook.headers['content-encoding']).toBeUndefined();
    expect(workbook.rawPayload.subarray(0, 2).toString()).toBe('PK');

    const xlsx = await call('GET', '/api/v1/sites/export?wilayah=II&format=xlsx&lang=en');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const nameCol = header.indexOf('Name') + 1;
    const names: unknown[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) names.push(row.getCell(nameCol).value);
    });
    expect(names).toEqual(['Eks pabrik es Bontang Kuala', 'KIK Loa Bakung']);
  });

  it('keeps a site to its office: another office gets 404 and an empty list', async () => {
    expect((await call('GET', `/api/v1/sites/${ids[0]}`, undefined, kalselToken)).statusCode).toBe(404);
    expect((await call('PATCH', `/api/v1/sites/${ids[0]}`, { state: 'in_use' }, kalselToken)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/sites', undefined, kalselToken)).json().total).toBe(0);
    const changed = await call('PATCH', `/api/v1/sites/${ids[0]}`, { state: 'in_use', notes: 'Sudah ada investor' });
    expect(changed.json()).toMatchObject({ state: 'in_use', notes: 'Sudah ada investor', areaHa: 2189 });
  });
});
