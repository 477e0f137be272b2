import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolments, quotas, sentra } from '../../db/schema.js';
import { promoteIntoPooledPlaces } from '../../services/quota.js';
import { rowCounts } from '../helpers/db.js';
import { createRegistryContext, type RegistryContext } from '../registry/context.js';
import { insertBusinesses } from './support.js';

const programmeKey = 'halal-self-declare';

describe('cohorts and bulk enrolment', () => {
  let c: RegistryContext;
  let cohortId: string;
  beforeAll(async () => {
    c = await createRegistryContext();
    await c.app.inject({
      method: 'POST',
      url: '/api/v1/quotas',
      headers: c.as.manager,
      payload: { programmeKey, year: 2026, placesLimit: 3 },
    });
    const res = await c.app.inject({
      method: 'POST',
      url: '/api/v1/cohorts',
      headers: c.as.officer,
      payload: { name: 'Angkatan I 2026 Kuliner Banjarmasin', programmeKey, year: 2026 },
    });
    expect(res.statusCode).toBe(201);
    cohortId = res.json().id;
  });
  afterAll(() => c.close());

  const bulk = (payload: object, id = cohortId, headers = c.as.officer) =>
    c.app.inject({ method: 'POST', url: `/api/v1/cohorts/${id}/enrolments`, headers, payload });

  it('enrols a filter (food IKM of Banjarmasin), export-oriented first, the rest on the waitlist', async () => {
    await insertBusinesses(c.database.db, c.kalselId, 6, (i) => ({
      name: `Wadai ${i}`,
      kbli: i === 5 ? '13134' : '10792',
      regionCode: i === 4 ? '6303' : '6371',
      exportOriented: i === 2 || i === 3,
    }));
    const res = await bulk({ filter: { regionCode: '6371', kbli: ['10', '11'], q: 'Wadai' } });
    expect(res.statusCode).toBe(200);
    const result = res.json();
    expect(result).toMatchObject({ active: 3, waitlisted: 1, skipped: [] });
    const names = await c.database.sql<{ name: string; status: string; export_oriented: boolean }[]>`
      select b.name, e.status, b.export_oriented from enrolments e join businesses b on b.id = e.business_id
      where e.cohort_id = ${cohortId} order by e.created_at`;
    expect(names.map((n) => [n.name, n.status])).toEqual([
      ['Wadai 2', 'active'],
      ['Wadai 3', 'active'],
      ['Wadai 0', 'active'],
      ['Wadai 1', 'waitlisted'],
    ]);
    const cohort = (await c.app.inject({ url: `/api/v1/cohorts/${cohortId}`, headers: c.as.officer })).json();
    expect(cohort.enrolments).toMatchObject({ active: 3, waitlisted: 1, withdrawn: 0 });
  });

  it('skips businesses enrolled already and says why, enrolling the others', async () => {
    const [fresh] = await insertBusinesses(c.database.db, c.kalselId, 1);
    const [already] = await c.database.db.select().from(enrolments).where(eq(enrolments.cohortId, cohortId)).limit(1);
    const res = await bulk({ businessIds: [already!.businessId, fresh!.id] });
    expect(res.json()).toMatchObject({
      active: 0,
      waitlisted: 1,
      skipped: [{ businessId: already!.businessId, reason: expect.stringMatching(/already enrolled/) }],
    });
  });

  it('enrols a sentra', async () => {
    const [kuin] = await c.database.db.select().from(sentra).where(eq(sentra.name, 'Sentra Pengolahan Ikan Kuin'));
    await insertBusinesses(c.database.db, c.kalselId, 2, () => ({ sentraId: kuin!.id }));
    const res = await bulk({ sentraId: kuin!.id });
    expect(res.json()).toMatchObject({ waitlisted: 2 });
  });

  it.each([
    [{}, 'body'],
    [{ sentraId: '00000000-0000-4000-8000-000000000000', filter: {} }, 'body'],
    [{ businessIds: ['not-a-uuid'] }, 'body.businessIds.0'],
    [{ businessIds: ['00000000-0000-4000-8000-000000000000'] }, 'body.businessIds.0'],
    [{ filter: { kbli: ['1x'] } }, 'body.filter.kbli.0'],
    [{ filter: { status: 'active' } }, 'body.filter'],
  ])('refuses %j with 400 naming %s, enrolling nobody', async (payload, field) => {
    const before = await rowCounts(c.database);
    const res = await bulk(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await rowCounts(c.database)).toEqual(before);
  });

  it('keeps cohorts to their office', async () => {
    expect((await c.app.inject({ url: `/api/v1/cohorts/${cohortId}`, headers: c.as.kaltimOfficer })).statusCode).toBe(
      404,
    );
    expect(
      (await bulk({ sentraId: '00000000-0000-4000-8000-000000000000' }, cohortId, c.as.kaltimOfficer)).statusCode,
    ).toBe(404);
    const list = (await c.app.inject({ url: '/api/v1/cohorts', headers: c.as.kaltimOfficer })).json();
    expect(list.items).toEqual([]);
    const renamed = await c.app.inject({
      method: 'PATCH',
      url: `/api/v1/cohorts/${cohortId}`,
      headers: c.as.officer,
      payload: { name: 'Angkatan I' },
    });
    expect(renamed.json().name).toBe('Angkatan I');
  });
});

describe("pooling: after its date, a regional quota's free places serve the whole office", () => {
  let c: RegistryContext;
  beforeAll(async () => {
    c = await createRegistryContext();
  });
  afterAll(() => c.close());

  const quota = async (payload: object) =>
    (
      await c.app.inject({
        method: 'POST',
        url: '/api/v1/quotas',
        headers: c.as.manager,
        payload: { programmeKey, ...payload },
      })
    ).json();
  const enrol = async (businessId: string, year: number) =>
    (
      await c.app.inject({
        method: 'POST',
        url: '/api/v1/enrolments',
        headers: c.as.officer,
        payload: { businessId, programmeKey, year },
      })
    ).json();

  it('takes a pooled place of another region once the home region is full, and gives it back there', async () => {
    const kota = await quota({ year: 2026, regionCode: '6371', placesLimit: 1 });
    const banjar = await quota({ year: 2026, regionCode: '6303', placesLimit: 2, poolingDate: '2026-01-01' });
    const [first, second, third] = await insertBusinesses(c.database.db, c.kalselId, 3);
    expect(await enrol(first!.id, 2026)).toMatchObject({ status: 'active', quotaId: kota.id });
    expect(await enrol(second!.id, 2026)).toMatchObject({ status: 'active', quotaId: banjar.id });
    expect(await enrol(third!.id, 2026)).toMatchObject({ status: 'active', quotaId: banjar.id });
    const [fourth] = await insertBusinesses(c.database.db, c.kalselId, 1);
    expect(await enrol(fourth!.id, 2026)).toMatchObject({ status: 'waitlisted', quotaId: kota.id });
  });

  it('keeps regional places to their region before the pooling date', async () => {
    await quota({ year: 2027, regionCode: '6371', placesLimit: 1 });
    const banjar = await quota({ year: 2027, regionCode: '6303', placesLimit: 5, poolingDate: '2099-12-31' });
    const [a, b] = await insertBusinesses(c.database.db, c.kalselId, 2);
    await enrol(a!.id, 2027);
    expect(await enrol(b!.id, 2027)).toMatchObject({ status: 'waitlisted' });
    expect((await c.app.inject({ url: `/api/v1/quotas/${banjar.id}`, headers: c.as.officer })).json()).toMatchObject({
      placesFree: 5,
      pooled: false,
    });
  });

  it('promotes waiting enrolments of other regions when a pooling date arrives (the reconciler), or is brought forward', async () => {
    await quota({ year: 2028, regionCode: '6371', placesLimit: 1 });
    const banjar = await quota({ year: 2028, regionCode: '6303', placesLimit: 3, poolingDate: '2099-12-31' });
    const list = await insertBusinesses(c.database.db, c.kalselId, 4);
    for (const b of list) await enrol(b.id, 2028);
    const waiting = async () =>
      (
        await c.database.db
          .select()
          .from(enrolments)
          .where(and(eq(enrolments.year, 2028), eq(enrolments.status, 'waitlisted')))
      ).length;
    expect(await waiting()).toBe(3);
    // The date arrives: simulated by writing it in the past, as the calendar would have it on that day.
    await c.database.db.update(quotas).set({ poolingDate: '2026-01-01' }).where(eq(quotas.id, banjar.id));
    const promoted = await promoteIntoPooledPlaces(c.database.db, new Date());
    expect(promoted).toHaveLength(3);
    expect(await waiting()).toBe(0);
    const [row] = await c.database.db.select().from(quotas).where(eq(quotas.id, banjar.id));
    expect(row!.placesUsed).toBe(3);

    const later = await insertBusinesses(c.database.db, c.kalselId, 2);
    await quota({ year: 2029, regionCode: '6371', placesLimit: 0 });
    const banjar2029 = await quota({ year: 2029, regionCode: '6303', placesLimit: 2, poolingDate: '2099-12-31' });
    for (const b of later) expect(await enrol(b.id, 2029)).toMatchObject({ status: 'waitlisted' });
    const forward = await c.app.inject({
      method: 'PATCH',
      url: `/api/v1/quotas/${banjar2029.id}`,
      headers: c.as.manager,
      payload: { poolingDate: '2026-01-01' },
    });
    expect(forward.json()).toMatchObject({
      pooled: true,
      placesFree: 0,
      promoted: expect.arrayContaining([expect.any(String), expect.any(String)]),
    });
  });
});

describe('sentra routes', () => {
  let c: RegistryContext;
  beforeAll(async () => {
    c = await createRegistryContext();
  });
  afterAll(() => c.close());

  it('lists the seeded Banjarmasin sentra for the Kalsel office only', async () => {
    const kalsel = (await c.app.inject({ url: '/api/v1/sentra', headers: c.as.officer })).json();
    expect(kalsel.items.map((s: { name: string }) => s.name)).toEqual(
      expect.arrayContaining([
        'Sentra Pengolahan Ikan Kuin',
        'Sentra Sasirangan Pelambuan',
        'Sentra Sasirangan Sungai Jingah',
        'Sentra Sasirangan Seberang Mesjid',
        'Sentra Tanggui Kuin Cerucuk',
        'Sentra Kue Surgi Mufti',
        'Sentra Pengolahan Kayu Alalak Tengah',
      ]),
    );
    expect(kalsel.items.every((s: { regionCode: string }) => s.regionCode === '6371')).toBe(true);
    expect((await c.app.inject({ url: '/api/v1/sentra', headers: c.as.kaltimOfficer })).json().items).toEqual([]);
  });

  it('forms a sentra by BPS code, shows its members, refuses a duplicate name and dissolves only an empty one', async () => {
    const res = await c.app.inject({
      method: 'POST',
      url: '/api/v1/sentra',
      headers: c.as.kaltimOfficer,
      payload: { name: 'Sentra Ulin Tenggarong', bpsCode: '6403' },
    });
    expect(res.statusCode).toBe(201);
    const s = res.json();
    expect(s).toMatchObject({ regionCode: '6402', memberCount: 0, members: [] });
    const dup = await c.app.inject({
      method: 'POST',
      url: '/api/v1/sentra',
      headers: c.as.kaltimOfficer,
      payload: { name: 'Sentra Ulin Tenggarong', regionCode: '6402' },
    });
    expect(dup.statusCode).toBe(409);
    await insertBusinesses(c.database.db, c.kaltimId, 2, () => ({ regionCode: '6402', sentraId: s.id }));
    const detail = (await c.app.inject({ url: `/api/v1/sentra/${s.id}`, headers: c.as.kaltimOfficer })).json();
    expect(detail).toMatchObject({
      memberCount: 2,
      members: [expect.objectContaining({ nib: expect.any(String) }), expect.anything()],
    });
    expect(
      (await c.app.inject({ method: 'DELETE', url: `/api/v1/sentra/${s.id}`, headers: c.as.kaltimOfficer })).statusCode,
    ).toBe(409);
    expect((await c.app.inject({ url: `/api/v1/sentra/${s.id}`, headers: c.as.officer })).statusCode).toBe(404);
    const empty = (
      await c.app.inject({
        method: 'POST',
        url: '/api/v1/sentra',
        headers: c.as.officer,
        payload: { name: 'Sentra Purun Banjarbaru', regionCode: '6372' },
      })
    ).json();
    expect(
      (await c.app.inject({ method: 'DELETE', url: `/api/v1/sentra/${empty.id}`, headers: c.as.officer })).statusCode,
    ).toBe(204);
  });

  it('refuses a region outside the office with 400 naming it', async () => {
    const res = await c.app.inject({
      method: 'POST',
      url: '/api/v1/sentra',
      headers: c.as.officer,
      payload: { name: 'Sentra Samarinda', regionCode: '6472' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('body.regionCode');
  });
});
