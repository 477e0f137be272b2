// Pages and their assets go gzipped to a browser that asks, and inflate to exactly what a client that does not ask
// gets; the API's JSON is left to the read cache (its own gzipped copies), so an API answer is never compressed here,
// and an idempotent write's stored answer stays the plain bytes it replays.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { buildTestApp, testAdminToken } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { kalselOffice } from '../helpers/fixtures.js';

const asBrowser = 'gzip, deflate, br';

describe('compressed pages', () => {
  let database: TestDatabase;
  let app: App;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await buildTestApp({ database, temporal: null as never });
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  it('sends a page and its assets gzipped to a browser, the same bytes once inflated', async () => {
    for (const url of ['/login', '/assets/htmx.min.js', '/assets/app.css']) {
      const plain = await get(url);
      const zipped = await get(url, { 'accept-encoding': asBrowser });
      expect(plain.statusCode).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers.vary).toMatch(/accept-encoding/i);
      expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
      // A page's form carries a fresh CSRF value each time; everything else is the same.
      const withoutCsrf = (bytes: Buffer) => bytes.toString('utf8').replace(/name="_csrf" value="[^"]*"/g, '');
      expect(withoutCsrf(gunzipSync(zipped.rawPayload))).toBe(withoutCsrf(plain.rawPayload));
    }
  });

  it('leaves the bytes plain for a client that refuses gzip', async () => {
    for (const refusal of ['identity', 'gzip;q=0', 'br']) {
      const res = await get('/login', { 'accept-encoding': refusal });
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.payload).toContain('<html');
    }
  });

  it('never compresses the API: its JSON and an idempotent write answer as they did', async () => {
    const admin = { authorization: `Bearer ${testAdminToken}`, 'accept-encoding': asBrowser };
    const doc = await get('/docs/json', admin);
    expect(doc.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(doc.payload).openapi).toMatch(/^3\./);

    const office = await kalselOffice(database.db);
    const create = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/businesses',
        headers: { ...admin, 'idempotency-key': 'usaha-baru-kompresi-0001' },
        payload: {
          officeId: office.id,
          name: 'UD Kompresi',
          ownerName: 'Hj. Rusmini',
          nib: '9120001234567',
          kbli: '10792',
          regionCode: '6371',
        },
      });
    const first = await create();
    expect(first.statusCode).toBe(201);
    expect(first.headers['content-encoding']).toBeUndefined();
    const again = await create();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.payload).toBe(first.payload);
  });
});
