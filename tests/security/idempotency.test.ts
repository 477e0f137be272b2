// Idempotency-Key on every mutating route: the same key and body get the stored answer without the work being done
// again; another body is refused (422); a second request while the first runs is refused (409); errors are not kept.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAdminToken } from '../helpers/app.js';
import { rowCounts } from '../helpers/db.js';
import { createAccount, expectProblem, seededOffices, startHarness, type Harness } from './support.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Idempotency-Key', () => {
  let h: Harness;
  let kalsel: string;
  const admin = { authorization: `Bearer ${testAdminToken}` };
  const slow = { entered: deferred(), release: deferred(), calls: 0 };
  let keyNumber = 0;
  const newKey = () => `idem-${Date.now()}-${++keyNumber}-0123456789`;

  beforeAll(async () => {
    h = await startHarness();
    ({ kalsel } = await seededOffices(h.database.db));
    // A route whose handler waits for the test, so a request is reliably still running when the next one comes.
    h.app.post('/api/v1/test-slow', { preHandler: h.app.authorize(['admin']) }, async (_request, reply) => {
      slow.calls++;
      slow.entered.resolve();
      await slow.release.promise;
      return reply.status(201).send({ call: slow.calls });
    });
  });
  afterAll(() => h.close());

  const office = (name: string) => ({ name, level: 'kota', regionCode: '6372', timeZone: 'Asia/Makassar' });
  const postOffice = (key: string, payload: object, headers: Record<string, string> = admin) =>
    h.app.inject({ method: 'POST', url: '/api/v1/offices', headers: { ...headers, 'idempotency-key': key }, payload });

  it('answers a retry with the stored answer, without doing the work again, whatever the key order of the body', async () => {
    const key = newKey();
    const before = await rowCounts(h.database);
    const first = await postOffice(key, office('Dinas Perindustrian Kota Banjarbaru'));
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const { name, level, regionCode, timeZone } = office('Dinas Perindustrian Kota Banjarbaru');
    const retry = await postOffice(key, { timeZone, regionCode, level, name });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers['content-type']).toBe(first.headers['content-type']);
    expect(retry.json()).toEqual(first.json());
    expect(await rowCounts(h.database)).toEqual({
      ...before,
      offices: before.offices! + 1,
      audit_log: before.audit_log! + 1,
      idempotency_keys: before.idempotency_keys! + 1,
    });
  });

  it('refuses the same key with another body (422), writing nothing', async () => {
    const key = newKey();
    expect((await postOffice(key, office('Dinas Perindustrian Kabupaten Banjar'))).statusCode).toBe(201);
    const before = await rowCounts(h.database);
    expectProblem(await postOffice(key, office('Dinas Perindustrian Kabupaten Tapin')), 422);
    expect(await rowCounts(h.database)).toEqual(before);
  });

  it('keeps keys apart per principal', async () => {
    const key = newKey();
    const otherAdmin = await createAccount(h.database.db, 'admin');
    const mine = await postOffice(key, office('Dinas Perindustrian Kabupaten Tabalong'));
    const theirs = await postOffice(key, office('Dinas Perindustrian Kabupaten Tabalong'), otherAdmin.auth);
    expect(mine.statusCode).toBe(201);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().id).not.toBe(mine.json().id);
  });

  it('refuses a second request with the same key while the first is running (409), then replays the first', async () => {
    const key = newKey();
    const send = () =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/test-slow',
        headers: { ...admin, 'idempotency-key': key },
        payload: { n: 1 },
      });
    const first = send();
    await slow.entered.promise;
    expectProblem(await send(), 409);
    slow.release.resolve();
    expect((await first).json()).toEqual({ call: 1 });
    const replay = await send();
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toEqual({ call: 1 });
    expect(slow.calls).toBe(1);
  });

  it('keeps no answer for an error: the key is released and a corrected retry does the work', async () => {
    const key = newKey();
    const before = await rowCounts(h.database);
    const refused = await postOffice(key, { ...office('Dinas Perindustrian Kota X'), regionCode: '9999' });
    expectProblem(refused, 400);
    expect(await rowCounts(h.database)).toEqual(before);
    expect((await postOffice(key, office('Dinas Perindustrian Kabupaten Balangan'))).statusCode).toBe(201);
  });

  it('takes over a claim whose request died more than 5 minutes ago, and forgets answers after 24 hours', async () => {
    const stale = newKey();
    expect((await postOffice(stale, office('Dinas Perindustrian Kabupaten Barito Kuala'))).statusCode).toBe(201);
    await h.database
      .sql`update idempotency_keys set status_code = null, response = null, created_at = now() - interval '6 minutes'`;
    const taken = await postOffice(stale, office('Dinas Perindustrian Kabupaten Barito Kuala'));
    expect(taken.statusCode).toBe(201);
    expect(taken.headers['idempotent-replayed']).toBeUndefined();

    await h.database.sql`update idempotency_keys set created_at = now() - interval '25 hours'`;
    const anew = await postOffice(stale, office('Dinas Perindustrian Kabupaten Hulu Sungai Selatan'));
    expect(anew.statusCode).toBe(201);
    expect(anew.headers['idempotent-replayed']).toBeUndefined();
  });

  it.each([['short'], ['kunci-dengan-spasi dan-lainnya'], ['x'.repeat(256)], ['kunci-é-0123456789']])(
    'refuses the malformed key %j with 400, writing nothing',
    async (key) => {
      const before = await rowCounts(h.database);
      const problem = expectProblem(await postOffice(key, office('Dinas Perindustrian Kabupaten Tanah Laut')), 400);
      expect(problem.errors?.[0]?.path).toBe('headers.idempotency-key');
      expect(await rowCounts(h.database)).toEqual(before);
    },
  );

  it('stores neither the key, nor the body, nor the answer in clear; a replay still gives the same invitation', async () => {
    const key = newKey();
    const payload = { name: 'Petugas Kalsel', email: 'petugas.idem@example.id', role: 'officer', officeId: kalsel };
    const send = () =>
      h.app.inject({ method: 'POST', url: '/api/v1/users', headers: { ...admin, 'idempotency-key': key }, payload });
    const first = await send();
    expect(first.statusCode).toBe(201);
    const token: string = first.json().invitation.token;
    const rows = await h.database.sql`select * from idempotency_keys`;
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain('petugas.idem@example.id');
    expect(stored).not.toContain(createHash('sha256').update(JSON.stringify(payload)).digest('hex'));

    const replay = await send();
    expect(replay.json().invitation.token).toBe(token);
    const accepted = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/invitations/accept',
      payload: { token, password: 'sandi-petugas-idem' },
    });
    expect(accepted.statusCode).toBe(200);
  });

  it('applies to requests without a principal too, per client address', async () => {
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const key = newKey();
    const login = (remoteAddress: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'idempotency-key': key },
        payload: { email: officer.email, password: officer.password },
        remoteAddress,
      });
    const first = await login('192.0.2.10');
    const again = await login('192.0.2.10');
    const elsewhere = await login('192.0.2.11');
    expect(again.json().token).toBe(first.json().token);
    expect(elsewhere.json().token).not.toBe(first.json().token);
  });

  it('ignores the header on reads', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/offices',
      headers: { ...admin, 'idempotency-key': 'short' },
    });
    expect(res.statusCode).toBe(200);
  });
});
