// Accounts: listing users page by page in an office's scope, one account per email, and re-inviting a business.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAdminToken } from '../helpers/app.js';
import { rowCounts } from '../helpers/db.js';
import {
  createAccount,
  createBusiness,
  expectProblem,
  seededOffices,
  startHarness,
  type Account,
  type Harness,
} from './support.js';

describe('accounts', () => {
  let h: Harness;
  let kalsel: string;
  let kaltim: string;
  let manager: Account;
  const admin = { authorization: `Bearer ${testAdminToken}` };

  beforeAll(async () => {
    h = await startHarness();
    ({ kalsel, kaltim } = await seededOffices(h.database.db));
    manager = await createAccount(h.database.db, 'manager', { officeId: kalsel });
  });
  afterAll(() => h.close());

  it('lists the users of the manager’s office by name, page by page, without gaps or repeats', async () => {
    for (const name of ['Rahmat', 'Aulia', 'Syahrani', 'Fitriani', 'Bambang']) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: manager.auth,
        payload: { name, email: `${name.toLowerCase()}@example.id`, role: 'officer' },
      });
      expect(res.statusCode).toBe(201);
    }
    await createAccount(h.database.db, 'officer', { officeId: kaltim });
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await h.app.inject({
        method: 'GET',
        url: '/api/v1/users',
        query: { role: 'officer', limit: '2', ...(cursor ? { cursor } : {}) },
        headers: manager.auth,
      });
      const body: { items: { name: string; officeId: string }[]; nextCursor: string | null } = res.json();
      expect(body.items.every((u) => u.officeId === kalsel)).toBe(true);
      seen.push(...body.items.map((u) => u.name));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(['Aulia', 'Bambang', 'Fitriani', 'Rahmat', 'Syahrani']);
    const everyone = await h.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      query: { role: 'officer' },
      headers: admin,
    });
    expect(everyone.json().items.some((u: { officeId: string }) => u.officeId === kaltim)).toBe(true);
  });

  it('keeps one account per email, whatever its case, and checks the administrator’s input', async () => {
    const create = (payload: object) => h.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload });
    expect(
      (await create({ name: 'Kabid Kaltim', email: 'kabid.kaltim@example.id', role: 'manager', officeId: kaltim }))
        .statusCode,
    ).toBe(201);
    const before = await rowCounts(h.database);
    expectProblem(
      await create({ name: 'Kabid Lain', email: 'KABID.KALTIM@example.id', role: 'officer', officeId: kaltim }),
      409,
    );
    expect(
      expectProblem(await create({ name: 'Petugas', email: 'p1@example.id', role: 'officer' }), 400).errors?.[0]?.path,
    ).toBe('body.officeId');
    expect(
      expectProblem(await create({ name: 'Admin', email: 'a1@example.id', role: 'admin', officeId: kalsel }), 400)
        .errors?.[0]?.path,
    ).toBe('body.officeId');
    expectProblem(
      await create({
        name: 'Petugas',
        email: 'p2@example.id',
        role: 'officer',
        officeId: '7b0f5d2e-3c41-4c1a-9a57-0d6f1e2a9b10',
      }),
      400,
    );
    expect(await rowCounts(h.database)).toEqual(before);
  });

  it('re-invites a business’s account with a new link and revokes the unused one', async () => {
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const business = await createBusiness(h.database.db, kalsel);
    const invite = () =>
      h.app.inject({ method: 'POST', url: `/api/v1/businesses/${business.id}/invitations`, headers: officer.auth });
    const first = (await invite()).json();
    const second = (await invite()).json();
    expect(second.user.id).toBe(first.user.id);
    expect(second.user).toMatchObject({
      name: 'Hj. Siti Rahmah',
      role: 'business',
      businessId: business.id,
      officeId: kalsel,
    });
    const me = (token: string) =>
      h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    expectProblem(await me(first.invitation.token), 401);
    expect((await me(second.invitation.token)).statusCode).toBe(200);

    const taken = await h.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${business.id}/invitations`,
      headers: officer.auth,
      payload: { email: officer.email },
    });
    expectProblem(taken, 409);
  });
});
