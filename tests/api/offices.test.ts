import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { testAdminToken } from '../helpers/app.js';
import { rowCounts, type TestDatabase } from '../helpers/db.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

describe('offices: the first route, validated at the edge', () => {
  let database: TestDatabase;
  let stack: TestStack;
  let app: App;
  const auth = { authorization: `Bearer ${testAdminToken}` };

  beforeAll(async () => {
    stack = await startTestStack();
    ({ database, app } = stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('creates an office in a known region', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/offices',
      headers: auth,
      payload: {
        name: 'Dinas Perindustrian Kota Banjarmasin',
        level: 'kota',
        regionCode: '6371',
        timeZone: 'Asia/Makassar',
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ regionCode: '6371', timeZone: 'Asia/Makassar', officeHoursStart: '08:00' });
  });

  it.each([
    [{ name: 'Dinas X', level: 'kota', regionCode: '6371', timeZone: 'Mars/Olympus' }, 'body.timeZone'],
    [{ name: 'Dinas X', level: 'desa', regionCode: '6371', timeZone: 'Asia/Makassar' }, 'body.level'],
    [{ name: 'Dinas X', level: 'kota', regionCode: '63711', timeZone: 'Asia/Makassar' }, 'body.regionCode'],
    [{ name: 'Dinas X', level: 'kota', regionCode: '6371', timeZone: 'Asia/Makassar', id: 'x' }, 'body'],
    [{ name: 'Dinas X', level: 'kota', regionCode: '9999', timeZone: 'Asia/Makassar' }, 'body.regionCode'],
    [{ level: 'kota', regionCode: '6371', timeZone: 'Asia/Makassar' }, 'body.name'],
  ])('rejects %j with 400 problem+json naming %s, and writes nothing', async (payload, field) => {
    const before = await rowCounts(database);
    const res = await app.inject({ method: 'POST', url: '/api/v1/offices', headers: auth, payload });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem).toMatchObject({ status: 400, title: expect.stringContaining('Bad request') });
    expect(problem.errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(problem.detail).not.toMatch(/at .*\.ts:\d+/);
    expect(await rowCounts(database)).toEqual(before);
  });

  it('answers malformed JSON with 400 problem+json, not 500', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/offices',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('sends a visitor without a session from the home page to log in, in Bahasa Indonesia or English', async () => {
    const home = await app.inject('/');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/login');
    const login = await app.inject('/login');
    expect(login.statusCode).toBe(200);
    expect(login.headers['content-type']).toMatch(/^text\/html/);
    expect(login.body).toContain('<h1>Masuk</h1>');
    const english = await app.inject({ url: '/login', cookies: { pdp_lang: 'en' } });
    expect(english.body).toContain('<h1>Log in</h1>');
  });

  it('serves the OpenAPI description', async () => {
    const res = await app.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(expect.arrayContaining(['/api/v1/offices', '/readyz']));
  });
});

describe('offices: authentication', () => {
  let database: TestDatabase;
  let stack: TestStack;
  let app: App;
  beforeAll(async () => {
    stack = await startTestStack();
    ({ database, app } = stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 401 problem+json without a token or with a wrong one', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer wrong-token-wrong-token-1234' },
      { authorization: 'Basic abc' },
    ]) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/offices', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('records who created an office in the audit trail', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/offices',
      headers: { authorization: `Bearer ${testAdminToken}`, 'x-request-id': 'req-office-1' },
      payload: {
        name: 'Dinas Perindustrian Kota Banjarbaru',
        level: 'kota',
        regionCode: '6372',
        timeZone: 'Asia/Makassar',
      },
    });
    expect(res.statusCode).toBe(201);
    const rows = await database.sql<{ action: string; actor_role: string; request_id: string }[]>`
      select action, actor_role, request_id from audit_log where entity_id = ${res.json().id}`;
    expect(rows).toEqual([{ action: 'office.create', actor_role: 'admin', request_id: 'req-office-1' }]);
  });
});
