import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { halalRegular } from '../../domain/templates/index.js';
import { rowCounts } from '../helpers/db.js';
import { createActiveEnrolment } from '../helpers/fixtures.js';
import { createRegistryContext, nextNib, type RegistryContext } from './context.js';

const amplang = () => ({
  name: 'UD Amplang Kuin Utara',
  ownerName: 'H. Muhammad Syarifuddin',
  nib: nextNib(),
  kbli: '10213',
  regionCode: '6371',
  address: 'Jl. Kuin Utara RT 05, Banjarmasin',
  phone: '0812-5123-4567',
  email: 'amplang.kuin@example.id',
  products: ['amplang', 'kerupuk ikan pipih'],
  workers: 6,
  exportOriented: true,
});

describe('businesses: the IKM registry', () => {
  let c: RegistryContext;
  beforeAll(async () => {
    c = await createRegistryContext();
  });
  afterAll(() => c.close());

  const post = (headers: Record<string, string>, payload: object) =>
    c.app.inject({ method: 'POST', url: '/api/v1/businesses', headers, payload });

  it("registers a business in the officer's office, phone as +62, region shown by its Kemendagri code and name", async () => {
    const res = await post(c.as.officer, amplang());
    expect(res.statusCode).toBe(201);
    const b = res.json();
    expect(b).toMatchObject({
      officeId: c.kalselId,
      regionCode: '6371',
      regionName: 'Banjarmasin',
      phone: '+6281251234567',
      exportOriented: true,
      certified: false,
      sentra: null,
      preferredLanguage: 'id',
    });
    const audit = await c.database.sql`select action, actor_role from audit_log where entity_id = ${b.id}`;
    expect(audit).toEqual([{ action: 'business.create', actor_role: 'officer' }]);
  });

  it('accepts a BPS code and stores the Kemendagri one (Kutai Kartanegara: BPS 6403, Kemendagri 6402)', async () => {
    const res = await post(c.as.kaltimOfficer, { ...amplang(), regionCode: undefined, bpsCode: '6403' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ regionCode: '6402', regionName: 'Kutai Kartanegara', officeId: c.kaltimId });
  });

  it.each([
    [{ nib: '912000000000' }, 'body.nib'],
    [{ kbli: '1079' }, 'body.kbli'],
    [{ email: 'not-an-email' }, 'body.email'],
    [{ phone: '12345' }, 'body.phone'],
    [{ workers: -1 }, 'body.workers'],
    [{ regionCode: '6472' }, 'body.regionCode'],
    [{ regionCode: '6405' }, 'body.regionCode'],
    [{ regionCode: undefined }, 'body.regionCode'],
    [{ officeId: '00000000-0000-4000-8000-000000000000' }, 'body.officeId'],
    [{ status: 'active' }, 'body'],
    [{ sentraId: '00000000-0000-4000-8000-000000000000' }, 'body.sentraId'],
  ])('refuses %j with 400 naming %s, writing nothing', async (change, field) => {
    const before = await rowCounts(c.database);
    const res = await post(c.as.officer, { ...amplang(), ...change });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await rowCounts(c.database)).toEqual(before);
  });

  it('says which region a BPS code given as Kemendagri would be', async () => {
    const res = await post(c.as.kaltimOfficer, { ...amplang(), regionCode: '6405' });
    expect(res.json().errors[0].message).toMatch(/Berau \(Kemendagri 6403\)/);
  });

  it('answers 409 for a NIB registered already, also from another office', async () => {
    const first = amplang();
    expect((await post(c.as.officer, first)).statusCode).toBe(201);
    const again = await post(c.as.kaltimOfficer, { ...first, regionCode: '6472' });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/sudah terdaftar \/ .*already registered/);
  });

  it('makes administrators name the office, and only them', async () => {
    const without = await post(c.as.admin, amplang());
    expect(without.statusCode).toBe(400);
    expect(without.json().errors[0].path).toBe('body.officeId');
    const withOffice = await post(c.as.admin, { ...amplang(), officeId: c.kalselId });
    expect(withOffice.statusCode).toBe(201);
    expect(withOffice.json().officeId).toBe(c.kalselId);
  });

  it('keeps offices apart: another office gets 404 for reading, changing or deleting', async () => {
    const id = (await post(c.as.officer, amplang())).json().id;
    const kaltimOwn = (await post(c.as.kaltimOfficer, { ...amplang(), regionCode: '6472' })).json().id;
    for (const [method, payload] of [
      ['GET', undefined],
      ['PATCH', { workers: 9 }],
      ['DELETE', undefined],
    ] as const) {
      const res = await c.app.inject({
        method,
        url: `/api/v1/businesses/${id}`,
        headers: c.as.kaltimOfficer,
        ...(payload ? { payload } : {}),
      });
      expect(res.statusCode).toBe(404);
    }
    const list = await c.app.inject({ url: '/api/v1/businesses?limit=100', headers: c.as.kaltimOfficer });
    const items: { id: string; officeId: string }[] = list.json().items;
    // Its own business is listed, so an empty list (which every() would pass) cannot hide a broken filter.
    expect(items.map((b) => b.id)).toContain(kaltimOwn);
    expect(items.map((b) => b.id)).not.toContain(id);
    expect(items.filter((b) => b.officeId !== c.kaltimId)).toEqual([]);
  });

  it('shows a business user only itself, and lets it change nothing', async () => {
    const list = await c.app.inject({ url: '/api/v1/businesses', headers: c.as.business });
    expect(list.json().items.map((b: { id: string }) => b.id)).toEqual([c.ownBusinessId]);
    const other = (await post(c.as.officer, amplang())).json().id;
    expect((await c.app.inject({ url: `/api/v1/businesses/${other}`, headers: c.as.business })).statusCode).toBe(404);
    expect(
      (await c.app.inject({ url: `/api/v1/businesses/${c.ownBusinessId}`, headers: c.as.business })).statusCode,
    ).toBe(200);
    expect((await post(c.as.business, amplang())).statusCode).toBe(403);
    const patch = await c.app.inject({
      method: 'PATCH',
      url: `/api/v1/businesses/${c.ownBusinessId}`,
      headers: c.as.business,
      payload: { workers: 3 },
    });
    expect(patch.statusCode).toBe(403);
  });

  it('changes a business: joins a seeded sentra of its region, records a certificate, audits before and after', async () => {
    const id = (await post(c.as.officer, amplang())).json().id;
    const sentra = (await c.app.inject({ url: '/api/v1/sentra?regionCode=6371', headers: c.as.officer })).json().items;
    const kuin = sentra.find((s: { name: string }) => s.name === 'Sentra Pengolahan Ikan Kuin');
    const res = await c.app.inject({
      method: 'PATCH',
      url: `/api/v1/businesses/${id}`,
      headers: c.as.officer,
      payload: {
        sentraId: kuin.id,
        certificates: [{ kind: 'halal', number: 'ID63110000123450524', issuedOn: '2024-05-20', scope: 'amplang' }],
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ sentra: { id: kuin.id, name: 'Sentra Pengolahan Ikan Kuin' }, certified: true });
    const [audit] = await c.database.sql<{ before: { sentraId: string | null }; after: { sentraId: string } }[]>`
      select before, after from audit_log where entity_id = ${id} and action = 'business.update'`;
    expect(audit).toMatchObject({ before: { sentraId: null }, after: { sentraId: kuin.id } });
  });

  it('refuses a sentra of another region with 400 naming sentraId', async () => {
    const id = (await post(c.as.officer, { ...amplang(), regionCode: '6303' })).json().id;
    const [kuin] = await c.database.sql<
      { id: string }[]
    >`select id from sentra where name = 'Sentra Pengolahan Ikan Kuin'`;
    const res = await c.app.inject({
      method: 'PATCH',
      url: `/api/v1/businesses/${id}`,
      headers: c.as.officer,
      payload: { sentraId: kuin!.id },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: 'body.sentraId', message: expect.stringMatching(/6371/) });
  });

  it('deletes a business entered by mistake, but not one with enrolments', async () => {
    const remove = (id: string) =>
      c.app.inject({ method: 'DELETE', url: `/api/v1/businesses/${id}`, headers: c.as.officer });
    const read = (id: string) => c.app.inject({ url: `/api/v1/businesses/${id}`, headers: c.as.officer });

    const mistake = (await post(c.as.officer, amplang())).json().id;
    expect((await remove(mistake)).statusCode).toBe(204);
    expect((await read(mistake)).statusCode).toBe(404);

    // An enrolment's history is the office's record: the business, and the enrolment, stay.
    const enrolled = (await post(c.as.officer, amplang())).json().id;
    const enrolment = await createActiveEnrolment(c.database.db, halalRegular, enrolled, c.kalselId);
    const refused = await remove(enrolled);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/1 pendaftaran dan tidak dapat dihapus \/ .*1 enrolments/);
    expect((await read(enrolled)).statusCode).toBe(200);
    expect(await c.database.sql`select id from enrolments where business_id = ${enrolled}`).toEqual([
      { id: enrolment.id },
    ]);
    const deletions = await c.database.sql`
      select entity_id from audit_log where action = 'business.delete' and entity_id in (${mistake}, ${enrolled})`;
    expect(deletions).toEqual([{ entity_id: mistake }]);
  });
});

describe('businesses: search, filters and cursor pages', () => {
  let c: RegistryContext;
  const names = [
    'Amplang Haruan',
    'Bingka Kentang Nini',
    'Dodol Kandangan Umay',
    'Kerupuk Ikan Julak',
    'Sasirangan Galuh',
    'Wadai Banjar Acil',
  ];
  beforeAll(async () => {
    c = await createRegistryContext();
    const [kuin] = await c.database.sql<
      { id: string }[]
    >`select id from sentra where name = 'Sentra Sasirangan Pelambuan'`;
    for (const [i, name] of names.entries()) {
      for (let copy = 0; copy < 5; copy++) {
        const sasirangan = name.startsWith('Sasirangan');
        const res = await c.app.inject({
          method: 'POST',
          url: '/api/v1/businesses',
          headers: c.as.officer,
          payload: {
            name: `${name} ${copy}`,
            ownerName: 'Hj. Norhayati',
            nib: `7${String(i)}${String(copy).padStart(11, '0')}`,
            kbli: sasirangan ? '13134' : `1079${i}`,
            regionCode: copy % 2 === 0 ? '6371' : '6303',
            exportOriented: copy === 0,
            ...(sasirangan && copy % 2 === 0 ? { sentraId: kuin!.id } : {}),
            ...(copy === 1
              ? { certificates: [{ kind: 'halal', number: `SH-${i}`, issuedOn: '2025-01-10', scope: name }] }
              : {}),
          },
        });
        expect(res.statusCode).toBe(201);
      }
    }
  });
  afterAll(() => c.close());

  const list = async (query: string) => {
    const res = await c.app.inject({ url: `/api/v1/businesses?${query}`, headers: c.as.officer });
    expect(res.statusCode).toBe(200);
    return res.json() as {
      items: {
        name: string;
        nib: string;
        regionCode: string;
        kbli: string;
        exportOriented: boolean;
        certified: boolean;
        sentra: unknown;
      }[];
      nextCursor: string | null;
    };
  };

  it('walks every business exactly once through cursor pages, in name order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof list>> = await list(`limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((b) => b.name));
      cursor = page.nextCursor;
    } while (cursor);
    const all = [...names.flatMap((n) => [0, 1, 2, 3, 4].map((i) => `${n} ${i}`)), 'Amplang Acil Ipah'];
    expect(seen).toHaveLength(all.length);
    expect(new Set(seen)).toEqual(new Set(all));
    expect(seen).toEqual([...seen].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('searches by part of the name and by the start of the NIB', async () => {
    expect((await list('q=kandangan')).items).toHaveLength(5);
    expect((await list('q=72000000000')).items.map((b) => b.nib)).toEqual(
      expect.arrayContaining(['7200000000000', '7200000000001']),
    );
  });

  it('filters by region, KBLI prefix, sentra, export orientation and certification', async () => {
    // Copies 1 and 3 of each of the six names are in Kabupaten Banjar (6303).
    expect((await list('regionCode=6303&limit=100')).items.map((b) => b.regionCode)).toEqual(Array(12).fill('6303'));
    expect((await list('regionCode=63&limit=100')).items).toHaveLength(31);
    expect((await list('kbli=131')).items.map((b) => b.kbli)).toEqual(Array(5).fill('13134'));
    expect((await list('kbli=10790,10791&limit=100')).items).toHaveLength(10);
    const [sentra] = await c.database.sql<
      { id: string }[]
    >`select id from sentra where name = 'Sentra Sasirangan Pelambuan'`;
    expect((await list(`sentraId=${sentra!.id}`)).items.map((b) => b.name)).toEqual([
      'Sasirangan Galuh 0',
      'Sasirangan Galuh 2',
      'Sasirangan Galuh 4',
    ]);
    expect((await list('exportOriented=true&limit=100')).items).toHaveLength(6);
    expect((await list('certified=true&limit=100')).items.map((b) => b.certified)).toEqual(Array(6).fill(true));
    expect((await list('certified=false&limit=100')).items.map((b) => b.certified)).toEqual(Array(25).fill(false));
  });

  it.each([
    ['limit=101', 'querystring.limit'],
    ['cursor=bm9wZQ', 'querystring.cursor'],
    ['kbli=ab', 'querystring.kbli'],
    ['exportOriented=yes', 'querystring.exportOriented'],
    ['colour=red', 'querystring'],
  ])('refuses ?%s with 400 naming %s', async (query, field) => {
    const res = await c.app.inject({ url: `/api/v1/businesses?${query}`, headers: c.as.officer });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(field);
  });
});
