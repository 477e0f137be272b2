// OWASP API2:2023 Broken Authentication: tokens that are expired, revoked, garbage or of a disabled user open
// nothing; a password is guessed at most 10 times a minute per address; secrets are stored only as hashes.
import { eq, sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { issueToken } from '../../services/credentials.js';
import { tokenCacheListeningMs, tokenCacheMs } from '../../api/plugins/auth.js';
import { routeLimits } from '../../api/plugins/rate-limits.js';
import { apiTokens, users } from '../../db/schema.js';
import { testAdminToken } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import {
  createAccount,
  createBusiness,
  disableUser,
  expectProblem,
  seededOffices,
  startHarness,
  type Harness,
} from './support.js';

describe('API2 broken authentication', () => {
  let h: Harness;
  let kalsel: string;
  const admin = { authorization: `Bearer ${testAdminToken}` };
  let nextAddress = 1;
  /** Each test logs in from its own address, so the per-address login limit only bites where a test wants it to. */
  const freshAddress = () => `198.51.100.${nextAddress++}`;

  beforeAll(async () => {
    h = await startHarness();
    ({ kalsel } = await seededOffices(h.database.db));
  });
  afterAll(() => h.close());

  const login = (email: string, password: string, remoteAddress = freshAddress()) =>
    h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });
  const me = (headers: Record<string, string>) => h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });

  it('logs in with email and password, answers an expiring token that is stored only as its hash', async () => {
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const started = Date.now();
    const res = await login(officer.email.toUpperCase(), officer.password);
    expect(res.statusCode).toBe(200);
    const session = res.json();
    expect(session).toMatchObject({
      tokenType: 'Bearer',
      user: { id: officer.userId, role: 'officer', officeId: kalsel, passwordSet: true },
    });
    const lifetime = Date.parse(session.expiresAt) - started;
    expect(lifetime).toBeGreaterThan(11.9 * 3_600_000);
    expect(lifetime).toBeLessThan(12.1 * 3_600_000);

    const stored = await h.database.db.select().from(apiTokens).where(eq(apiTokens.userId, officer.userId));
    expect(stored.map((t) => t.tokenHash)).toContain(createHash('sha256').update(session.token).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(session.token);
    const [user] = await h.database.db.select().from(users).where(eq(users.id, officer.userId));
    expect(user!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const whoami = await me({ authorization: `Bearer ${session.token}` });
    expect(whoami.json()).toMatchObject({ role: 'officer', officeId: kalsel, token: { kind: 'session' } });
  });

  it('gives the same answer for a wrong password, an unknown email and a disabled account', async () => {
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const disabled = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    await disableUser(h.database.db, disabled.userId);
    const answers = [
      await login(officer.email, 'salah-sandi-1234'),
      await login('nobody-here@example.id', officer.password),
      await login(disabled.email, disabled.password),
    ];
    const problems = answers.map((res) => expectProblem(res, 401));
    expect(new Set(problems.map((p) => p.detail)).size).toBe(1);
  });

  it('revokes the token on logout, and records both in the audit trail with the request id', async () => {
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const { token } = (await login(officer.email, officer.password)).json();
    const auth = { authorization: `Bearer ${token}` };
    expect((await me(auth)).statusCode).toBe(200);
    const out = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { ...auth, 'x-request-id': 'logout-1' },
    });
    expect(out.statusCode).toBe(204);
    expectProblem(await me(auth), 401);
    expectProblem(await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth }), 401);

    const trail = await h.database.sql<{ action: string; actor_user_id: string; request_id: string }[]>`
      select action, actor_user_id, request_id from audit_log where entity_id = ${officer.userId} order by id`;
    expect(trail.map((r) => r.action)).toEqual(['session.create', 'session.revoke']);
    expect(trail.every((r) => r.actor_user_id === officer.userId)).toBe(true);
    expect(trail[1]!.request_id).toBe('logout-1');
  });

  it('refuses expired, revoked and disabled users’ tokens', async () => {
    const expired = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    const { token: expiredToken } = await issueToken(h.database.db, expired.userId, 'session', longAgo);
    expectProblem(await me({ authorization: `Bearer ${expiredToken}` }), 401);

    const revoked = await createAccount(h.database.db, 'manager', { officeId: kalsel });
    await h.database.db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.userId, revoked.userId));
    expectProblem(await me(revoked.auth), 401);

    // Disabled behind the API's back (SQL, another API process): this process's cached look-up of the token may still
    // answer, for at most tokenCacheMs; then the token is refused.
    const disabled = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    expect((await me(disabled.auth)).statusCode).toBe(200);
    const disabledAt = Date.now();
    await disableUser(h.database.db, disabled.userId);
    await waitFor(async () => (await me(disabled.auth)).statusCode === 401, {
      what: 'the disabled user’s token to be refused',
      timeoutMs: tokenCacheMs + 2_000,
    });
    expect(Date.now() - disabledAt).toBeLessThan(tokenCacheMs + 1_000);
    expectProblem(await me(disabled.auth), 401);
  });

  it('hears of revocations, disablings and role changes made behind its back at their commit', async () => {
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const revoked = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const disabled = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    // Looked up with the clock a while ahead: the entries cannot expire by themselves during this test, so only the
    // announcements can drop them.
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + tokenCacheListeningMs);
    try {
      for (const a of [officer, revoked, disabled]) expect((await me(a.auth)).statusCode).toBe(200);
    } finally {
      vi.restoreAllMocks();
    }
    // Another API process or an operator's SQL: this process's forgetTokensOf never runs.
    await h.database.db.update(users).set({ role: 'manager' }).where(eq(users.id, officer.userId));
    await h.database.db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.userId, revoked.userId));
    await disableUser(h.database.db, disabled.userId);
    for (const [a, expected] of [
      [officer, 'manager'],
      [revoked, 401],
      [disabled, 401],
    ] as const) {
      await waitFor(
        async () => {
          const res = await me(a.auth);
          return typeof expected === 'number' ? res.statusCode === expected : res.json().role === expected;
        },
        { what: `the change to ${a.email} to be heard` },
      );
    }
  });

  it('keeps a look-up while it listens, until a change is announced or tokenCacheListeningMs passes', async () => {
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    expect((await me(officer.auth)).statusCode).toBe(200);
    // Revoked without an announcement (triggers off for this transaction): only the look-up's own expiry finds it.
    await h.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.userId, officer.userId));
    });
    const realNow = Date.now.bind(Date);
    const later = (ms: number) => vi.spyOn(Date, 'now').mockImplementation(() => realNow() + ms);
    try {
      later(tokenCacheMs * 2);
      expect((await me(officer.auth)).statusCode).toBe(200);
      later(tokenCacheListeningMs + 1_000);
      expectProblem(await me(officer.auth), 401);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('forgets every look-up when its LISTEN connection drops, and listens again', async () => {
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    expect((await me(officer.auth)).statusCode).toBe(200);
    const listeners = () => h.database.sql<{ pid: number }[]>`
      select pid from pg_stat_activity
      where datname = current_database() and application_name = 'pendamping-listener' and query ilike 'listen%tokens%'`;
    const [before] = await listeners();
    expect(before).toBeDefined();
    // Revoked unannounced, then the connection drops: what was cached before it dropped is no longer trusted.
    await h.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.userId, officer.userId));
    });
    await h.database.sql`select pg_terminate_backend(${before!.pid})`;
    await waitFor(async () => (await me(officer.auth)).statusCode === 401, {
      what: 'the look-ups to be forgotten with the connection',
      timeoutMs: tokenCacheMs,
    });
    await waitFor(async () => (await listeners()).some((l) => l.pid !== before!.pid), {
      what: 'the token cache to listen again',
    });
    const other = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    expect((await me(other.auth)).statusCode).toBe(200);
    await disableUser(h.database.db, other.userId);
    await waitFor(async () => (await me(other.auth)).statusCode === 401, {
      what: 'a change to be heard again',
      timeoutMs: tokenCacheMs / 2,
    });
  });

  it('refuses a token at once when the API itself disables its user', async () => {
    const manager = await createAccount(h.database.db, 'manager', { officeId: kalsel });
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    expect((await me(officer.auth)).statusCode).toBe(200);
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1/users/${officer.userId}/disable`,
      headers: manager.auth,
    });
    expect(res.statusCode).toBe(200);
    expectProblem(await me(officer.auth), 401);
  });

  it('refuses garbage credentials with one and the same 401', async () => {
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const garbage = [
      'Bearer short',
      `Bearer ${'x'.repeat(600)}`,
      `Bearer ${officer.token} extra`,
      `Bearer ${officer.token.slice(0, -1)}`,
      `bearer ${officer.token}`,
      `Basic ${Buffer.from(`${officer.email}:${officer.password}`).toString('base64')}`,
      "Bearer ' OR '1'='1' --------",
      'Bearer null',
      `Bearer ${testAdminToken}x`,
      'Bearer pdp_\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9',
    ];
    const details = new Set<string>();
    for (const authorization of garbage) details.add(expectProblem(await me({ authorization }), 401).detail);
    expect(details.size).toBe(1);
    expectProblem(await h.app.inject({ method: 'GET', url: `/api/v1/auth/me?access_token=${officer.token}` }), 401);
  });

  it('stops password guessing after 10 attempts a minute from one address, with Retry-After', async () => {
    const limit = routeLimits.find((l) => l.url === '/api/v1/auth/login')!;
    expect(limit).toMatchObject({ per: 'ip', max: 10, timeWindowMs: 60_000 });
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const attacker = '203.0.113.66';
    for (let i = 0; i < limit.max; i++)
      expectProblem(await login(officer.email, `tebakan-ke-${i}-salah`, attacker), 401);
    const blocked = await login(officer.email, 'tebakan-ke-11-salah', attacker);
    const problem = expectProblem(blocked, 429);
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(problem.detail).toMatch(/Too many requests/);
    // Even the right password waits: the limit is on attempts, not on failures.
    expectProblem(await login(officer.email, officer.password, attacker), 429);
    expect((await login(officer.email, officer.password, '203.0.113.67')).statusCode).toBe(200);
  });

  it('lets an invitation link open only its business’s enrolments and notifications, and only once be accepted', async () => {
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const business = await createBusiness(h.database.db, kalsel);
    const invited = await h.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${business.id}/invitations`,
      headers: officer.auth,
      payload: {},
    });
    expect(invited.statusCode).toBe(201);
    const { user, invitation } = invited.json();
    expect(invitation.url).toBe(`/invite/${invitation.token}`);
    const link = { authorization: `Bearer ${invitation.token}` };

    expect((await me(link)).json()).toMatchObject({
      role: 'business',
      businessId: business.id,
      token: { kind: 'invitation' },
    });
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/notifications', headers: link })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/enrolments', headers: link })).statusCode).toBe(200);
    expectProblem(await h.app.inject({ method: 'GET', url: '/api/v1/offices', headers: link }), 403);
    expectProblem(await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: link }), 403);

    const accept = (remoteAddress = freshAddress()) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/invitations/accept',
        payload: { token: invitation.token, password: 'sandi-baru-amplang' },
        remoteAddress,
      });
    const accepted = await accept();
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({
      tokenType: 'Bearer',
      user: { id: user.id, role: 'business', passwordSet: true },
    });
    expect((await me({ authorization: `Bearer ${accepted.json().token}` })).statusCode).toBe(200);
    expectProblem(await accept(), 401);
    expectProblem(await me(link), 401);
  });

  it('does not accept a staff invitation as a bearer token; it only sets the password', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { name: 'Petugas Baru', email: 'petugas.baru@example.id', role: 'officer', officeId: kalsel },
    });
    expect(created.statusCode).toBe(201);
    const { invitation } = created.json();
    expectProblem(await me({ authorization: `Bearer ${invitation.token}` }), 401);
    const accepted = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/invitations/accept',
      payload: { token: invitation.token, password: 'sandi-petugas-baru' },
      remoteAddress: freshAddress(),
    });
    expect(accepted.statusCode).toBe(200);
    expect((await login('petugas.baru@example.id', 'sandi-petugas-baru')).statusCode).toBe(200);
  });

  it('cannot revoke the environment’s administrator token through the API', async () => {
    expectProblem(await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: admin }), 422);
    expect((await me(admin)).json()).toMatchObject({
      user: null,
      role: 'admin',
      token: { kind: 'environment', expiresAt: null },
    });
  });
});
