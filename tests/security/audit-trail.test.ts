// The audit trail: append-only in the database itself, written with every change (who, when, what, before and
// after, request id), and read through GET /audit with filters, office scope and cursor pagination.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../db/schema.js';
import { testAdminToken } from '../helpers/app.js';
import {
  createAccount,
  createBusiness,
  expectProblem,
  seededOffices,
  startHarness,
  type Account,
  type Harness,
} from './support.js';

describe('audit trail', () => {
  let h: Harness;
  let kalsel: string;
  let kaltim: string;
  let officer: Account;
  const admin = { authorization: `Bearer ${testAdminToken}` };

  beforeAll(async () => {
    h = await startHarness();
    ({ kalsel, kaltim } = await seededOffices(h.database.db));
    officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
  });
  afterAll(() => h.close());

  const audit = (query: Record<string, string>, headers: Record<string, string> = officer.auth) =>
    h.app.inject({ method: 'GET', url: '/api/v1/audit', query, headers });

  it('refuses UPDATE, DELETE and TRUNCATE of audit_log, even for the superuser and even when no row matches', async () => {
    await h.database.db.insert(auditLog).values({ action: 'test.write', entityType: 'test', entityId: '1' });
    const [me] = await h.database.sql<
      { superuser: boolean }[]
    >`select usesuper as superuser from pg_user where usename = current_user`;
    expect(me!.superuser).toBe(true);
    await expect(h.database.sql`update audit_log set action = 'forged'`).rejects.toThrow(/append-only: UPDATE/);
    await expect(h.database.sql`delete from audit_log`).rejects.toThrow(/append-only: DELETE/);
    await expect(h.database.sql`delete from audit_log where false`).rejects.toThrow(/append-only/);
    await expect(h.database.sql`truncate audit_log`).rejects.toThrow(/append-only: TRUNCATE/);
    const grants = await h.database.sql`
      select privilege_type from information_schema.role_table_grants where table_name = 'audit_log' and grantee = 'PUBLIC'`;
    expect(grants).toEqual([]);
    const [kept] = await h.database.sql<
      { n: number }[]
    >`select count(*)::int as n from audit_log where action = 'test.write'`;
    expect(kept!.n).toBe(1);
  });

  it('records who changed what, before and after, with the request id', async () => {
    const business = await createBusiness(h.database.db, kalsel);
    const invited = await h.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${business.id}/invitations`,
      headers: { ...officer.auth, 'x-request-id': 'req-invite-1' },
      payload: { email: 'pemilik@amplang.example.id' },
    });
    expect(invited.statusCode).toBe(201);
    const userId = invited.json().user.id;
    const disabled = await h.app.inject({
      method: 'POST',
      url: `/api/v1/users/${userId}/disable`,
      headers: { ...admin, 'x-request-id': 'req-disable-1' },
    });
    expect(disabled.statusCode).toBe(200);

    const trail = await audit({ entityType: 'user', entityId: userId }, admin);
    const items = trail.json().items.reverse();
    expect(items.map((i: { action: string }) => i.action)).toEqual([
      'user.create',
      'invitation.create',
      'user.disable',
    ]);
    expect(items[0]).toMatchObject({
      actorUserId: officer.userId,
      actorRole: 'officer',
      officeId: kalsel,
      businessId: business.id,
      requestId: 'req-invite-1',
    });
    expect(items[0].after).toMatchObject({ id: userId, role: 'business', email: 'pemilik@amplang.example.id' });
    expect(items[1].after).toMatchObject({ kind: 'invitation', expiresAt: expect.any(String) });
    expect(items[2]).toMatchObject({ actorUserId: null, actorRole: 'admin', requestId: 'req-disable-1' });
    expect(items[2].before.disabledAt).toBeNull();
    expect(items[2].after.disabledAt).toEqual(expect.any(String));
    expect(Date.parse(items[2].at)).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.stringify(items)).not.toContain(invited.json().invitation.token);
  });

  it('filters by business and by enrolment, and shows an officer only their own office', async () => {
    const business = await createBusiness(h.database.db, kalsel);
    const enrolmentId = '2c6e1a3b-9d4f-4e2a-8b1c-5f7a9e3d2b10';
    await h.database.db.insert(auditLog).values([
      {
        action: 'enrolment.create',
        entityType: 'enrolment',
        entityId: enrolmentId,
        officeId: kalsel,
        businessId: business.id,
      },
      {
        action: 'step.complete',
        entityType: 'step',
        entityId: `${enrolmentId}/sjph`,
        officeId: kalsel,
        businessId: business.id,
        after: { enrolmentId, stepKey: 'sjph' },
      },
      {
        action: 'business.update',
        entityType: 'business',
        entityId: business.id,
        officeId: kalsel,
        businessId: business.id,
      },
      { action: 'enrolment.create', entityType: 'enrolment', entityId: enrolmentId, officeId: kaltim },
    ]);
    const byEnrolment = (await audit({ enrolmentId })).json().items.map((i: { action: string }) => i.action);
    expect(byEnrolment).toEqual(['step.complete', 'enrolment.create']);
    expect((await audit({ enrolmentId }, admin)).json().items).toHaveLength(3);
    const byBusiness = (await audit({ businessId: business.id })).json().items.map((i: { action: string }) => i.action);
    expect(byBusiness).toEqual(['business.update', 'step.complete', 'enrolment.create']);
    const kaltimOfficer = await createAccount(h.database.db, 'officer', { officeId: kaltim });
    expect(
      (await audit({ enrolmentId }, kaltimOfficer.auth)).json().items.map((i: { officeId: string }) => i.officeId),
    ).toEqual([kaltim]);
  });

  it('pages with a cursor, newest first, without gaps or repeats', async () => {
    await h.database.db.insert(auditLog).values(
      Array.from({ length: 7 }, (_, i) => ({
        action: 'page.test',
        entityType: 'page',
        entityId: String(i),
        officeId: kalsel,
      })),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await audit({ entityType: 'page', limit: '3', ...(cursor ? { cursor } : {}) });
      const body: { items: { entityId: string }[]; nextCursor: string | null } = res.json();
      seen.push(...body.items.map((i) => i.entityId));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(['6', '5', '4', '3', '2', '1', '0']);
    for (const bad of ['abc', '0', '-1', "1' or '1'='1", '99999999999999999999'])
      expectProblem(await audit({ cursor: bad }), 400);
  });

  it('never shows a secret that slipped into before or after', async () => {
    await h.database.db.insert(auditLog).values({
      action: 'user.import',
      entityType: 'secret',
      entityId: 'x',
      officeId: kalsel,
      after: {
        name: 'Petugas',
        password: 'rahasia',
        passwordHash: '$argon2id$v=19$x',
        tokens: [{ token_hash: 'ab12' }],
        passwordSet: true,
      },
    });
    const [entry] = (await audit({ entityType: 'secret' })).json().items;
    expect(entry.after).toEqual({
      name: 'Petugas',
      password: '[redacted]',
      passwordHash: '[redacted]',
      tokens: [{ token_hash: '[redacted]' }],
      passwordSet: true,
    });
  });
});
