// Accounts: listing users page by page in an office's scope, one account per email, re-inviting a business, and
// re-inviting staff (a lost link, a forgotten password), alone and beside a second re-invitation or a disabling,
// and two changes of one's own password at once.
import { and, eq, gt, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokens } from '../../db/schema.js';
import { testAdminToken } from '../helpers/app.js';
import { rowCounts } from '../helpers/db.js';
import {
  createAccount,
  createBusiness,
  expectProblem,
  seededOffices,
  startHarness,
  unknownId,
  type Account,
  type Harness,
} from './support.js';

describe('accounts', () => {
  let h: Harness;
  let kalsel: string;
  let kaltim: string;
  let manager: Account;
  const admin = { authorization: `Bearer ${testAdminToken}` };
  // Logging in and accepting are rate-limited per client address; each such request here comes from one of its own.
  let clients = 0;
  const ownAddress = () => `10.20.${Math.floor(++clients / 250)}.${clients % 250}`;
  const login = (email: string, password: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress: ownAddress(),
    });

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

  it('makes one account when two managers add the same e-mail at once', async () => {
    const second = await createAccount(h.database.db, 'manager', { officeId: kalsel });
    for (let round = 0; round < 4; round++) {
      const email = `sama.${round}@example.id`;
      const add = (auth: { authorization: string }, written: string) =>
        h.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: auth,
          payload: { name: `Petugas Sama ${round}`, email: written, role: 'officer' },
        });
      const answers = await Promise.all([add(manager.auth, email), add(second.auth, email.toUpperCase())]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
      expectProblem(
        answers.find((a) => a.statusCode === 409)!,
        409,
      );
      const listed = (await h.app.inject({ method: 'GET', url: '/api/v1/users?limit=100', headers: admin })).json();
      expect(listed.items.filter((u: { email: string }) => u.email === email)).toHaveLength(1);
    }
  });

  describe('changing one’s own password', () => {
    const change = (auth: { authorization: string }, currentPassword: string, newPassword: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: auth,
        payload: { currentPassword, newPassword },
      });

    it('keeps exactly one of two changes sent at once with the same current password', async () => {
      for (let round = 0; round < 4; round++) {
        const account = await createAccount(h.database.db, 'officer', { officeId: kalsel });
        const answers = await Promise.all([
          change(account.auth, account.password, `sandi-a-${round}-12345`),
          change(account.auth, account.password, `sandi-b-${round}-12345`),
        ]);
        expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 400]);
        const refused = expectProblem(
          answers.find((a) => a.statusCode === 400)!,
          400,
        );
        expect(refused.errors?.[0]?.path).toBe('body.currentPassword');
        const won = answers[0]!.statusCode === 200 ? 'a' : 'b';
        const lost = won === 'a' ? 'b' : 'a';
        expect((await login(account.email, `sandi-${won}-${round}-12345`)).statusCode).toBe(200);
        expectProblem(await login(account.email, `sandi-${lost}-${round}-12345`), 401);
      }
    });

    it('leaves no way in when the account is disabled while its password changes, in either order', async () => {
      for (let round = 0; round < 4; round++) {
        const account = await createAccount(h.database.db, 'officer', { officeId: kalsel });
        const disable = () =>
          h.app.inject({ method: 'POST', url: `/api/v1/users/${account.userId}/disable`, headers: manager.auth });
        const changing = () => change(account.auth, account.password, `sandi-lain-${round}-1234`);
        const [changed, disabled] =
          round % 2 === 0
            ? await Promise.all([changing(), disable()])
            : await Promise.all([disable(), changing()]).then(([d, c]) => [c, d]);
        expect(disabled!.statusCode).toBe(200);
        // Either the change came first and the disabling revoked its session, or the account was gone for it.
        expect([200, 401, 404]).toContain(changed!.statusCode);
        expect((await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: account.auth })).statusCode).toBe(
          401,
        );
        expectProblem(await login(account.email, `sandi-lain-${round}-1234`), 401);
        expectProblem(await login(account.email, account.password), 401);
      }
    });

    it('refuses the configured administrator token, which has no password, and writes nothing', async () => {
      const before = await rowCounts(h.database);
      expectProblem(await change(admin, 'apa-saja-123', 'sandi-baru-12345'), 409);
      expect(await rowCounts(h.database)).toEqual(before);
    });
  });

  describe('re-inviting staff', () => {
    const newOfficer = async (name: string) => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: manager.auth,
        payload: { name, email: `${name.toLowerCase().replace(/\W/g, '.')}@example.id`, role: 'officer' },
      });
      expect(res.statusCode).toBe(201);
      return res.json() as { user: { id: string; email: string }; invitation: { token: string; url: string } };
    };
    const reinvite = (userId: string, auth = manager.auth) =>
      h.app.inject({ method: 'POST', url: `/api/v1/users/${userId}/invitations`, headers: auth });
    const disable = (userId: string) =>
      h.app.inject({ method: 'POST', url: `/api/v1/users/${userId}/disable`, headers: manager.auth });
    const accept = (token: string, password: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/invitations/accept',
        payload: { token, password },
        remoteAddress: ownAddress(),
      });
    /** Invitation links of the user that could still be accepted. */
    const usableLinks = async (userId: string) =>
      (
        await h.database.db
          .select({ id: apiTokens.id })
          .from(apiTokens)
          .where(
            and(
              eq(apiTokens.userId, userId),
              eq(apiTokens.kind, 'invitation'),
              isNull(apiTokens.revokedAt),
              gt(apiTokens.expiresAt, new Date()),
            ),
          )
      ).length;

    it('gives a new link that revokes the unused one, and sets a new password for one who forgot it', async () => {
      const created = await newOfficer('Nurul Hidayah');
      const listed = async () =>
        (await h.app.inject({ method: 'GET', url: '/api/v1/users?role=officer&limit=100', headers: manager.auth }))
          .json()
          .items.find((u: { id: string }) => u.id === created.user.id) as {
          passwordSet: boolean;
          invitationExpiresAt: string | null;
        };
      // The list tells how long the unused link lasts, and nothing once it is used.
      const open = await listed();
      expect(open.passwordSet).toBe(false);
      expect(Date.parse(open.invitationExpiresAt!) - Date.now()).toBeGreaterThan(13 * 86_400_000);
      const again = await reinvite(created.user.id);
      expect(again.statusCode).toBe(201);
      const second = again.json();
      expect(second.invitation.url).toBe(`/invite/${second.invitation.token}`);
      expectProblem(await accept(created.invitation.token, 'sandi-pertama-1'), 401);
      expect((await accept(second.invitation.token, 'sandi-pertama-1')).statusCode).toBe(200);
      expect((await login(created.user.email, 'sandi-pertama-1')).statusCode).toBe(200);
      expect(await listed()).toMatchObject({ passwordSet: true, invitationExpiresAt: null });

      // Forgotten: a third link sets another password, and the first one no longer opens the account.
      const third = (await reinvite(created.user.id)).json();
      expect((await accept(third.invitation.token, 'sandi-kedua-22')).statusCode).toBe(200);
      expectProblem(await login(created.user.email, 'sandi-pertama-1'), 401);
      expect((await login(created.user.email, 'sandi-kedua-22')).statusCode).toBe(200);
      expect(await usableLinks(created.user.id)).toBe(0);
    });

    it("re-invites only the manager's own officers, never a business's or a disabled account, writing nothing when refused", async () => {
      const otherManager = await createAccount(h.database.db, 'manager', { officeId: kalsel });
      const elsewhere = await createAccount(h.database.db, 'officer', { officeId: kaltim });
      const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
      const business = await createBusiness(h.database.db, kalsel);
      const businessAccount = (
        await h.app.inject({
          method: 'POST',
          url: `/api/v1/businesses/${business.id}/invitations`,
          headers: officer.auth,
        })
      ).json().user.id as string;
      const gone = await newOfficer('Sudah Pindah');
      expect((await disable(gone.user.id)).statusCode).toBe(200);

      const before = await rowCounts(h.database);
      expectProblem(await reinvite(otherManager.userId), 403);
      expectProblem(await reinvite(elsewhere.userId), 404);
      expectProblem(await reinvite(businessAccount), 404);
      expectProblem(await reinvite(gone.user.id), 409);
      expectProblem(await reinvite(officer.userId, officer.auth), 403);
      expectProblem(await reinvite(unknownId()), 404);
      expect(await rowCounts(h.database)).toEqual(before);
      // An administrator re-invites anyone's staff.
      expect((await reinvite(otherManager.userId, admin)).statusCode).toBe(201);
    });

    it('leaves one usable link when two re-invitations meet', async () => {
      for (let round = 0; round < 4; round++) {
        const created = await newOfficer(`Kembar ${round}`);
        const answers = await Promise.all([reinvite(created.user.id), reinvite(created.user.id)]);
        expect(answers.map((a) => a.statusCode)).toEqual([201, 201]);
        expect(await usableLinks(created.user.id)).toBe(1);
        const tokens = answers.map((a) => a.json().invitation.token as string);
        const accepted = await Promise.all(tokens.map((t) => accept(t, 'sandi-kembar-1')));
        expect(accepted.map((a) => a.statusCode).sort()).toEqual([200, 401]);
      }
    });

    it('never leaves a usable link on an account disabled while it is re-invited, in either order', async () => {
      for (let round = 0; round < 6; round++) {
        const created = await newOfficer(`Balapan ${round}`);
        const [invited, disabled] =
          round % 2 === 0
            ? await Promise.all([reinvite(created.user.id), disable(created.user.id)])
            : await Promise.all([disable(created.user.id), reinvite(created.user.id)]).then(([d, r]) => [r, d]);
        expect(disabled!.statusCode).toBe(200);
        expect(disabled!.json().disabledAt).not.toBeNull();
        // Either the link came first and the disabling revoked it, or the disabling came first and no link was made.
        expect([201, 409]).toContain(invited!.statusCode);
        expect(await usableLinks(created.user.id)).toBe(0);
        if (invited!.statusCode === 201)
          expectProblem(await accept(invited!.json().invitation.token, 'sandi-balap-1'), 401);
      }
    });
  });
});
