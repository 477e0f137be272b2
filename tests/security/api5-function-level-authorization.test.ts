// OWASP API5:2023 Broken Function Level Authorization: every route declares the roles it serves (x-roles in the
// OpenAPI document); any other role gets 403 before its body is even read, and nothing is written.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '../../domain/types.js';
import { testAdminToken } from '../helpers/app.js';
import { rowCounts } from '../helpers/db.js';
import { apiOperations, describeOperation, fillPath, type Operation } from './openapi.js';
import {
  createAccount,
  createBusiness,
  expectProblem,
  seededOffices,
  startHarness,
  type Account,
  type Harness,
} from './support.js';

/** The only routes anyone may call without a token. */
const publicOperations = ['POST /api/v1/auth/login', 'POST /api/v1/auth/invitations/accept'];

describe('API5 function-level authorisation', () => {
  let h: Harness;
  let operations: Operation[];
  let kalsel: string;
  let kaltim: string;
  const tokens = {} as Record<Role, { authorization: string }>;
  let manager: Account;
  let officer: Account;

  beforeAll(async () => {
    h = await startHarness();
    ({ kalsel, kaltim } = await seededOffices(h.database.db));
    const business = await createBusiness(h.database.db, kalsel);
    manager = await createAccount(h.database.db, 'manager', { officeId: kalsel });
    officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const owner = await createAccount(h.database.db, 'business', { officeId: kalsel, businessId: business.id });
    tokens.admin = { authorization: `Bearer ${testAdminToken}` };
    tokens.manager = manager.auth;
    tokens.officer = officer.auth;
    tokens.business = owner.auth;
    operations = await apiOperations(h.app);
  });
  afterAll(() => h.close());

  const call = (op: Operation, headers: Record<string, string>) =>
    h.app.inject({
      method: op.method,
      url: fillPath(op.path, randomUUID()),
      headers,
      ...(op.body ? { payload: {} } : {}),
    });

  it('has every route declare its roles, except logging in and accepting an invitation', () => {
    expect(operations.length).toBeGreaterThan(10);
    const undeclared = operations.filter((op) => op.roles === null).map(describeOperation);
    expect(undeclared.sort()).toEqual([...publicOperations].sort());
  });

  it('answers 401 without a token on every route that is not public, and writes nothing', async () => {
    const before = await rowCounts(h.database);
    for (const op of operations.filter((o) => o.roles)) {
      const res = await call(op, {});
      expect(res.statusCode, describeOperation(op)).toBe(401);
      expectProblem(res, 401);
    }
    expect(await rowCounts(h.database)).toEqual(before);
  });

  it('answers 403 to every role a route does not serve, before validation, and writes nothing', async () => {
    const before = await rowCounts(h.database);
    let checked = 0;
    for (const op of operations.filter((o) => o.roles)) {
      for (const role of roles.filter((r) => !op.roles!.includes(r))) {
        const res = await call(op, tokens[role]);
        expect(res.statusCode, `${role} → ${describeOperation(op)}`).toBe(403);
        expectProblem(res, 403);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(await rowCounts(h.database)).toEqual(before);
  });

  it('keeps the administrative routes to administrators (and managers for their own officers)', async () => {
    const post = (url: string, headers: Record<string, string>, payload: object = {}) =>
      h.app.inject({ method: 'POST', url, headers, payload });
    const officeBody = {
      name: 'Dinas Perindustrian Kota Banjarbaru',
      level: 'kota',
      regionCode: '6372',
      timeZone: 'Asia/Makassar',
    };
    expectProblem(await post('/api/v1/offices', tokens.manager, officeBody), 403);
    expectProblem(await post('/api/v1/offices', tokens.business, officeBody), 403);
    expectProblem(
      await post('/api/v1/users', tokens.officer, { name: 'Orang', email: 'orang@example.id', role: 'officer' }),
      403,
    );
    expectProblem(
      await post('/api/v1/users', tokens.business, { name: 'Orang', email: 'orang@example.id', role: 'admin' }),
      403,
    );
    expectProblem(await post(`/api/v1/users/${manager.userId}/disable`, tokens.officer), 403);
    expectProblem(await h.app.inject({ method: 'GET', url: '/api/v1/audit', headers: tokens.business }), 403);
    expectProblem(await h.app.inject({ method: 'GET', url: '/api/v1/users', headers: tokens.officer }), 403);
  });

  it('lets a manager create and disable only officers, and only of their own office', async () => {
    const before = await rowCounts(h.database);
    const create = (payload: object) =>
      h.app.inject({ method: 'POST', url: '/api/v1/users', headers: tokens.manager, payload });
    expectProblem(await create({ name: 'Calon Kabid', email: 'kabid@example.id', role: 'manager' }), 403);
    expectProblem(await create({ name: 'Calon Admin', email: 'admin2@example.id', role: 'admin' }), 403);
    expectProblem(
      await create({ name: 'Petugas Kaltim', email: 'kaltim@example.id', role: 'officer', officeId: kaltim }),
      403,
    );
    const otherManager = await createAccount(h.database.db, 'manager', { officeId: kalsel });
    expectProblem(
      await h.app.inject({
        method: 'POST',
        url: `/api/v1/users/${otherManager.userId}/disable`,
        headers: tokens.manager,
      }),
      403,
    );
    expect(await rowCounts(h.database)).toEqual({
      ...before,
      users: before.users! + 1,
      api_tokens: before.api_tokens! + 1,
    });

    const created = await create({ name: 'Petugas Baru', email: 'petugas.kalsel@example.id', role: 'officer' });
    expect(created.statusCode).toBe(201);
    expect(created.json().user).toMatchObject({ role: 'officer', officeId: kalsel, passwordSet: false });
    const disabled = await h.app.inject({
      method: 'POST',
      url: `/api/v1/users/${officer.userId}/disable`,
      headers: tokens.manager,
    });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().disabledAt).toEqual(expect.any(String));
    expectProblem(await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: officer.auth }), 401);
  });
});
