// Prospects through the API: one business found twice is one prospect (by NIB, or by a fuzzy match of name and address
// in the same kelurahan that the officer confirms), also when two officers record it at once; a prospect enters the
// registry only with an NIB.
import { count, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { businesses, offices, prospects } from '../../db/schema.js';
import type { TestDatabase } from '../helpers/db.js';
import { halalSelfDeclare } from '../../domain/templates/index.js';
import {
  createActiveEnrolment,
  createBusiness,
  createToken,
  createUser,
  kalselOffice,
  randomNib,
} from '../helpers/fixtures.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

describe('prospects', () => {
  let database: TestDatabase;
  let stack: TestStack;
  let app: App;
  let officeId: string;
  let token: string;
  let colleagueToken: string;
  let outsiderToken: string;

  beforeAll(async () => {
    stack = await startTestStack();
    ({ database, app } = stack);
    officeId = (await kalselOffice(database.db)).id;
    token = await createToken(database.db, (await createUser(database.db, 'officer', officeId)).id);
    colleagueToken = await createToken(database.db, (await createUser(database.db, 'officer', officeId)).id);
    const [other] = await database.db.select().from(offices).where(eq(offices.regionCode, '64'));
    outsiderToken = await createToken(database.db, (await createUser(database.db, 'officer', other!.id)).id);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const post = (url: string, body?: unknown, as = token) =>
    app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${as}` },
      ...(body ? { payload: body as object } : {}),
    });
  const found = (extra: Record<string, unknown> = {}) => ({
    name: 'UD Amplang Kuin Jaya',
    address: 'Jl. Kuin Utara No. 12 RT 05',
    kelurahan: 'Kuin Utara',
    regionCode: '6371',
    ...extra,
  });
  const prospectCount = async () => (await database.db.select({ n: count() }).from(prospects))[0]!.n;

  it('finds the same business again by its NIB, in the prospects and in the registry', async () => {
    const nib = randomNib();
    const first = await post('/api/v1/prospects', found({ name: 'CV Sasirangan Indah', nib }));
    expect(first.statusCode, first.body).toBe(201);
    const again = await post('/api/v1/prospects', found({ name: 'Sasirangan Indah', kelurahan: 'Pelambuan', nib }));
    expect(again.statusCode).toBe(409);
    expect(again.json().candidates).toEqual([
      { kind: 'prospect', id: first.json().id, name: 'CV Sasirangan Indah', score: 1 },
    ]);

    const registered = await createBusiness(database.db, officeId);
    const inRegistry = await post('/api/v1/prospects', found({ name: 'Apa saja', nib: registered.nib }));
    expect(inRegistry.statusCode).toBe(409);
    expect(inRegistry.json().candidates[0]).toMatchObject({ kind: 'business', id: registered.id });
  });

  it('shows a likely duplicate in the same kelurahan to the officer, who confirms it is another business', async () => {
    const before = await prospectCount();
    const first = await post('/api/v1/prospects', found());
    expect(first.statusCode, first.body).toBe(201);
    const likely = await post(
      '/api/v1/prospects',
      found({ name: 'Amplang Kuin Jaya, UD', address: 'Jl Kuin Utara 12', kelurahan: ' kuin utara' }),
    );
    expect(likely.statusCode).toBe(409);
    expect(likely.json().candidates[0]).toMatchObject({ kind: 'prospect', id: first.json().id });
    expect(likely.json().candidates[0].score).toBeGreaterThanOrEqual(0.5);
    expect(await prospectCount()).toBe(before + 1);

    // Another kelurahan, or another business of the same street, is no duplicate.
    expect((await post('/api/v1/prospects', found({ kelurahan: 'Alalak Tengah' }))).statusCode).toBe(201);
    expect(
      (await post('/api/v1/prospects', found({ name: 'Toko Kue Surgi Mufti', address: 'Jl. Kuin Utara No. 40' })))
        .statusCode,
    ).toBe(201);
    // The officer looked and says it is another one.
    const confirmed = await post(
      '/api/v1/prospects',
      found({ name: 'Amplang Kuin Jaya, UD', address: 'Jl Kuin Utara 12', confirmedDistinct: true }),
    );
    expect(confirmed.statusCode).toBe(201);
  });

  it('two officers recording the same business at once make one prospect', async () => {
    const before = await prospectCount();
    const same = found({ name: 'Tanggui Kuin Cerucuk', address: 'Jl. Kuin Cerucuk No. 3', kelurahan: 'Kuin Cerucuk' });
    const results = await Promise.all([
      post('/api/v1/prospects', same),
      post('/api/v1/prospects', same, colleagueToken),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const nib = randomNib();
    const withNib = found({ name: 'Ikan Asin Kuin', address: 'Jl. Kuin Selatan 1', kelurahan: 'Kuin Selatan', nib });
    const twice = await Promise.all([
      post('/api/v1/prospects', withNib),
      post('/api/v1/prospects', withNib, colleagueToken),
    ]);
    expect(twice.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await prospectCount()).toBe(before + 2);
  });

  it('enters the registry only with an NIB, once, and stays in its office', async () => {
    const created = await post(
      '/api/v1/prospects',
      found({ name: 'Olahan Kayu Alalak', address: 'Jl. Alalak Tengah 7', kelurahan: 'Alalak Tengah' }),
    );
    const id = created.json().id as string;
    const early = await post(`/api/v1/prospects/${id}/register`);
    expect(early.statusCode).toBe(422);
    expect(early.json().errors.map((e: { path: string }) => e.path)).toEqual(['nib', 'kbli', 'ownerName']);
    expect((await database.db.select().from(prospects).where(eq(prospects.id, id)))[0]!.businessId).toBeNull();

    expect((await post(`/api/v1/prospects/${id}/register`, undefined, outsiderToken)).statusCode).toBe(404);

    const nib = randomNib();
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/prospects/${id}`,
      headers: { authorization: `Bearer ${token}` },
      payload: { nib, kbli: '16101', ownerName: 'H. Rahmadi' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const results = await Promise.all([
      post(`/api/v1/prospects/${id}/register`),
      post(`/api/v1/prospects/${id}/register`, undefined, colleagueToken),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const ok = results.find((r) => r.statusCode === 201)!.json();
    const [business] = await database.db.select().from(businesses).where(eq(businesses.nib, nib));
    expect(business).toMatchObject({ id: ok.businessId, name: 'Olahan Kayu Alalak', officeId, kbli: '16101' });
    expect((await database.db.select().from(prospects).where(eq(prospects.id, id)))[0]!.businessId).toBe(business!.id);
  });

  it('counts prospects found, registered and enrolled', async () => {
    const figures = async () =>
      (
        await app.inject({
          method: 'GET',
          url: '/api/v1/visit-figures?year=2026',
          headers: { authorization: `Bearer ${token}` },
        })
      ).json().prospects;
    const before = await figures();
    expect(before.registered).toBe(1);
    expect(before.enrolled).toBe(0);
    const [registered] = await database.db.select().from(prospects).where(isNotNull(prospects.businessId));
    await createActiveEnrolment(database.db, halalSelfDeclare, registered!.businessId!, officeId);
    expect(await figures()).toEqual({ ...before, enrolled: 1 });
    expect(before.found).toBe(await prospectCount());
  });
});
