// GET /api/v1/dashboard and /api/v1/reports through the real app and database: the same figures as the service,
// problem+json naming the field for bad input, managers only, CSV and XLSX with typed cells and translated headers.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offices, quotas } from '../../db/schema.js';
import { dashboard } from '../../services/dashboard.js';
import type { Principal } from '../../services/principal.js';
import { eq } from 'drizzle-orm';
import { createBusiness, createToken, createUser, kalselOffice } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../security/support.js';
import { DAY, writeHistory } from './support.js';
import { gunzipSync } from 'node:zlib';

describe('dashboard API', () => {
  let h: Harness;
  let managerToken: string;
  let officerToken: string;
  let manager: Principal;
  let kaltimId: string;
  const year = new Date().getUTCFullYear();

  beforeAll(async () => {
    h = await startHarness();
    const { db } = h.database;
    const office = await kalselOffice(db);
    kaltimId = (await db.select().from(offices).where(eq(offices.regionCode, '64')))[0]!.id;
    const user = await createUser(db, 'manager', office.id);
    manager = { userId: user.id, role: 'manager', officeId: office.id, businessId: null };
    managerToken = await createToken(db, user.id);
    officerToken = await createToken(db, (await createUser(db, 'officer', office.id)).id);
    const [quota] = await db
      .insert(quotas)
      .values({ programmeKey: 'halal-regular', year, officeId: office.id, placesLimit: 30, placesUsed: 3 })
      .returning();
    const start = Date.now() - 40 * DAY;
    for (const [i, name] of ['Amplang Kuin', 'Wadai Banjar, "Asli"', 'Sasirangan Jingah'].entries()) {
      const business = await createBusiness(db, office.id, { name, regionCode: '6371' });
      await writeHistory(db, {
        businessId: business.id,
        officeId: office.id,
        programmeKey: 'halal-regular',
        year,
        status: 'active',
        quotaId: quota!.id,
        activatedAt: start,
        steps: [
          { stepKey: 'penyelia_halal_training', openedAt: start, dueAt: start + 9 * DAY, completedAt: start + 5 * DAY },
          // Open and overdue for the first; due later for the others.
          {
            stepKey: 'sjph_manual',
            openedAt: start + 5 * DAY,
            dueAt: start + (i === 0 ? 10 : 90) * DAY,
            completedAt: null,
          },
        ],
      });
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  const get = (url: string, token = managerToken) =>
    h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  it('answers the same figures as the service, for the manager’s office', async () => {
    const response = await get(`/api/v1/dashboard?year=${year}`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    const direct = await dashboard(h.database.db, manager, { year }, Date.parse(body.generatedAt));
    expect({ ...body, generatedAt: '' }).toEqual({ ...JSON.parse(JSON.stringify(direct)), generatedAt: '' });
    expect(body.overdue.total).toBe(1);
    expect(body.pipeline[0].steps.find((s: { stepKey: string }) => s.stepKey === 'sjph_manual').atStep).toBe(3);
  });

  it('refuses bad filters with problem+json naming the field, and anyone but managers', async () => {
    for (const [url, field] of [
      [`/api/v1/dashboard?year=abc`, 'querystring.year'],
      [`/api/v1/dashboard?regionCode=12345`, 'querystring.regionCode'],
      [`/api/v1/dashboard?officeId=${kaltimId}`, 'officeId'],
      [`/api/v1/dashboard?programmeKey=no-such`, 'programmeKey'],
      [`/api/v1/reports/enrolments?format=pdf`, 'querystring.format'],
      [`/api/v1/reports/secrets`, 'params.report'],
    ] as const) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().errors.map((e: { path: string }) => e.path)).toContain(field);
    }
    expect((await get('/api/v1/dashboard', officerToken)).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/reports/quotas' })).statusCode).toBe(401);
  });

  it('writes the enrolment list as CSV with headers in the reader’s language', async () => {
    const response = await get(`/api/v1/reports/enrolments?year=${year}&lang=en`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toContain(`pendamping-enrolments-${year}.csv`);
    const lines = response.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^Business,NIB,Kabupaten\/kota,Programme,Year,Status,Step,/);
    expect(lines).toHaveLength(4);
    expect(lines.join('\n')).toContain('"Wadai Banjar, ""Asli"""');
    const indonesian = await get(`/api/v1/reports/enrolments?year=${year}`);
    expect(indonesian.body).toContain('Usaha,NIB,Kabupaten/kota,Program,Tahun,Status,Langkah');
    // The same report, gzipped for a client that accepts it.
    const gzipped = await h.app.inject({
      method: 'GET',
      url: `/api/v1/reports/enrolments?year=${year}`,
      headers: { authorization: `Bearer ${managerToken}`, 'accept-encoding': 'gzip' },
    });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.rawPayload).toString()).toBe(indonesian.body);
  });

  it('writes XLSX with numbers and dates typed', async () => {
    const response = await get(`/api/v1/reports/quotas?year=${year}&format=xlsx`);
    expect(response.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'Program',
      'Kabupaten/kota',
      'Kuota',
      'Terpakai',
      'Sisa',
      'Daftar tunggu',
      'Habis pada',
    ]);
    const row = sheet.getRow(2);
    expect(row.getCell(3).value).toBe(30);
    expect(row.getCell(4).value).toBe(3);
    expect(row.getCell(7).value === null || row.getCell(7).value instanceof Date).toBe(true);

    const list = await get(`/api/v1/reports/enrolments?year=${year}&format=xlsx&step=sjph_manual`);
    const enrolmentsBook = new ExcelJS.Workbook();
    await enrolmentsBook.xlsx.load(list.rawPayload as unknown as ArrayBuffer);
    const enrolmentsSheet = enrolmentsBook.worksheets[0]!;
    expect(enrolmentsSheet.rowCount).toBe(4);
    expect(enrolmentsSheet.getRow(2).getCell(5).value).toBe(year);
    expect(enrolmentsSheet.getRow(2).getCell(8).value).toBeInstanceOf(Date);
    expect(enrolmentsSheet.getRow(2).getCell(11).value).toBeInstanceOf(Date);
  });
});
