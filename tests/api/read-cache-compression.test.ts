// The read cache's gzipped answers against a real Postgres and the real API: a client that asks for gzip gets bytes
// that inflate to exactly the plain answer, on a miss and on a hit; a client that does not ask (or refuses gzip) gets
// the plain bytes; and a change drops the gzipped copy with the plain one, whoever made it.
import { gunzipSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { businesses, offices } from '../../db/schema.js';
import { gzipAboveBytes, type ReadCache } from '../../infra/read-cache.js';
import { caseworkTemplate } from '../casework/support.js';
import { buildTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createToken, createUser } from '../helpers/fixtures.js';
import { renameAtHeldBarrier } from '../helpers/read-cache.js';
import { waitFor } from '../helpers/wait.js';

/** What autocannon, curl --compressed and the browsers send, near enough. */
const asBrowser = 'gzip, deflate, br';

describe('read cache: gzipped answers', () => {
  let database: TestDatabase;
  let app: App;
  let cache: ReadCache;
  let businessId: string;
  let enrolmentId: string;
  let officer: { authorization: string };
  // Each test reads a URL of its own, so its first read is a miss whatever the other tests left in the cache.
  let page = 0;
  let listUrl: string;

  const get = (url: string, acceptEncoding?: string) =>
    app.inject({
      method: 'GET',
      url,
      headers: acceptEncoding === undefined ? officer : { ...officer, 'accept-encoding': acceptEncoding },
    });
  /** The answer's bytes as the client reads them: inflated when the answer says it is gzipped. */
  const decoded = (res: Awaited<ReturnType<typeof get>>) =>
    (res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.rawPayload) : res.rawPayload).toString('utf8');
  const names = async (acceptEncoding?: string) =>
    JSON.parse(decoded(await get(listUrl, acceptEncoding))).items.map((b: { name: string }) => b.name) as string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    // These reads never reach Temporal (no ?live=true).
    app = await buildTestApp({ database, temporal: null as never, taskQueue: 'read-cache-gzip-test', readCacheMb: 8 });
    cache = app.readCache!;
    const db = database.db;
    const [kalsel] = await db.select().from(offices).where(eq(offices.regionCode, '63'));
    // A page of the registry well above the size below which answers stay plain.
    for (let i = 0; i < 12; i++) await createBusiness(db, kalsel!.id, { name: `UD Kerupuk Haruan ${i}` });
    const business = await createBusiness(db, kalsel!.id, { name: 'UD Amplang Kuin' });
    businessId = business.id;
    enrolmentId = (await createActiveEnrolment(db, caseworkTemplate('uji-gzip'), business.id, kalsel!.id)).id;
    officer = {
      authorization: `Bearer ${await createToken(db, (await createUser(db, 'officer', kalsel!.id)).id)}`,
    };
    // The rows' notifications have reached the cache: none arrives later to drop what the first test stores.
    await cache.barrier();
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  beforeEach(async () => {
    await waitFor(() => cache.listening, { what: 'the cache to listen' });
    listUrl = `/api/v1/businesses?limit=${50 - page++}`;
  });

  it('sends a miss and a hit gzipped to a client that asks, inflating to exactly the plain answer', async () => {
    const entries = cache.stats().entries;
    const miss = await get(listUrl, asBrowser);
    expect(cache.stats().entries).toBe(entries + 1);
    const hit = await get(listUrl, asBrowser);
    expect(cache.stats().entries).toBe(entries + 1);
    const plain = await get(listUrl);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.length).toBeGreaterThan(gzipAboveBytes);
    expect(plain.json().items).toHaveLength(13);
    for (const res of [miss, hit]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
      expect(gunzipSync(res.rawPayload).equals(plain.rawPayload)).toBe(true);
    }
    for (const res of [miss, hit, plain]) {
      expect(res.headers.vary).toMatch(/accept-encoding/i);
      expect(res.headers['content-length']).toBe(String(res.rawPayload.length));
    }
  });

  it('sends the plain bytes to a client that does not ask for gzip or refuses it', async () => {
    const plain = await get(listUrl);
    expect(plain.headers['content-encoding']).toBeUndefined();
    for (const refusal of ['gzip;q=0', 'identity', 'br', 'identity, gzip;q=0.5', 'gzip;q=0, *', '']) {
      const res = await get(listUrl, refusal);
      expect(res.headers['content-encoding'], refusal).toBeUndefined();
      expect(res.headers['content-length'], refusal).toBe(String(plain.rawPayload.length));
      expect(res.body, refusal).toBe(plain.body);
      expect(res.headers.vary, refusal).toMatch(/accept-encoding/i);
    }
    // The same stored answer still goes gzipped to the next client that asks.
    const gzipped = await get(listUrl, 'deflate, gzip;q=0.8');
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.rawPayload).toString()).toBe(plain.body);
  });

  it('keeps an answer below the threshold plain, and still says it varies', async () => {
    const url = `/api/v1/enrolments/${enrolmentId}?live=false`;
    const plain = await get(url);
    expect(plain.rawPayload.length).toBeLessThanOrEqual(gzipAboveBytes);
    for (const res of [await get(url, asBrowser), await get(url, asBrowser)]) {
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.body).toBe(plain.body);
      expect(res.headers.vary).toMatch(/accept-encoding/i);
    }
  });

  it('drops the gzipped copy with the plain one when a business changes behind the API', async () => {
    expect(await names(asBrowser)).toContain('UD Amplang Kuin');
    expect(await names()).toContain('UD Amplang Kuin');
    await database.db.update(businesses).set({ name: 'UD Amplang Kuin Lama' }).where(eq(businesses.id, businessId));
    await waitFor(async () => (await names(asBrowser)).includes('UD Amplang Kuin Lama'), {
      what: 'the renamed business in the gzipped list',
    });
    expect(await names()).toContain('UD Amplang Kuin Lama');
    expect((await get(listUrl, asBrowser)).headers['content-encoding']).toBe('gzip');
  });

  it("gives the writer's next gzipped read its own write, though gzipped hits meet the write in flight", async () => {
    expect(await names(asBrowser)).toContain('UD Amplang Kuin Lama');
    // The change's notification is slow to arrive: the write's answer waits for it.
    const patched = await renameAtHeldBarrier(
      app,
      cache,
      { businessId, name: 'UD Amplang Kuin Baru', headers: { ...officer, 'accept-encoding': asBrowser } },
      async () => {
        // Until the change reaches this cache, a gzipped hit is still the answer from before the write.
        const during = await get(listUrl, asBrowser);
        expect(during.headers['content-encoding']).toBe('gzip');
        expect(gunzipSync(during.rawPayload).toString()).toContain('UD Amplang Kuin Lama');
      },
    );
    expect(patched.statusCode).toBe(200);
    // No waiting: the PATCH answered after its invalidation reached this cache, gzipped copy included.
    const next = await get(listUrl, asBrowser);
    expect(next.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(next.rawPayload).toString()).toContain('UD Amplang Kuin Baru');
  });

  it('does not keep a gzipped answer whose query raced a change, and still sends it gzipped', async () => {
    await database.db.update(businesses).set({ name: 'UD Amplang Kuin Awal' }).where(eq(businesses.id, businessId));
    await cache.barrier();
    const entries = cache.stats().entries;
    cache.beforeStore = async () => {
      await database.db
        .update(businesses)
        .set({ name: 'UD Amplang Kuin Balapan' })
        .where(eq(businesses.id, businessId));
      await cache.barrier();
    };
    const raced = await get(listUrl, asBrowser);
    expect(cache.beforeStore).toBeNull();
    expect(raced.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(raced.rawPayload).toString()).toContain('UD Amplang Kuin Awal');
    expect(cache.stats().entries).toBeLessThanOrEqual(entries);
    // Stored, the stale answer would come back now; the next read is a miss that reads the new row.
    expect(await names(asBrowser)).toContain('UD Amplang Kuin Balapan');
  });
});
