import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { auditLog, notificationDeliveries, notifications, offices } from '../../db/schema.js';
import { emailChannel } from '../../services/notifications/channels/email.js';
import { createDispatcher } from '../../services/notifications/dispatcher.js';
import { recordNotice } from '../../services/notifications/record.js';
import { buildTestApp } from '../helpers/app.js';
import { createTestDatabase, rowCounts, type TestDatabase } from '../helpers/db.js';
import { createToken, createUser } from '../helpers/fixtures.js';
import { createTimeSkippingEnv } from '../helpers/temporal.js';
import { businessStep, daytime, enrolledBusiness, officerStep, startSmtp } from '../notifications/support.js';

describe('notifications: inboxes per person, delivery state, resend, preferences and texts', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let app: App;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  let tokens: Record<'business' | 'officer' | 'colleague' | 'manager' | 'stranger', string>;
  let mine: Awaited<ReturnType<typeof enrolledBusiness>>;
  let neighbour: Awaited<ReturnType<typeof enrolledBusiness>>;
  const ids = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((n) => n.id);
  const rowsOf = (enrolmentId: string) =>
    database.db.select().from(notifications).where(eq(notifications.enrolmentId, enrolmentId));

  beforeAll(async () => {
    [database, env, smtp] = await Promise.all([createTestDatabase(), createTimeSkippingEnv(), startSmtp()]);
    app = await buildTestApp({ database, temporal: env.client });
    const { db } = database;
    mine = await enrolledBusiness(db);
    neighbour = await enrolledBusiness(db);
    const [other] = await db
      .insert(offices)
      .values({ name: 'Dinas Kota Samarinda', level: 'kota', regionCode: '6472', timeZone: 'Asia/Makassar' })
      .returning();
    const notice = { visit: 1, occurrence: '0', at: daytime, dueAt: daytime + 86_400_000 };
    await recordNotice(db, mine.ctx, { ...notice, kind: 'step_opened', step: businessStep });
    await recordNotice(db, mine.ctx, { ...notice, kind: 'withdrawn', step: null, reason: 'tutup usaha' });
    await recordNotice(db, neighbour.ctx, { ...notice, kind: 'reminder', step: businessStep });
    await recordNotice(db, mine.ctx, { ...notice, kind: 'escalation', step: officerStep });
    const dispatcher = createDispatcher({
      database,
      channels: { email: emailChannel({ url: smtp.url, from: 'no-reply@disperin.id', ratePerSecond: 100 }) },
      clock: () => daytime,
    });
    await dispatcher.drain();
    await dispatcher.stop();
    tokens = {
      business: await createToken(db, (await createUser(db, 'business', mine.office.id, mine.business.id)).id),
      officer: await createToken(db, mine.officer.id),
      colleague: await createToken(db, neighbour.officer.id),
      manager: await createToken(db, mine.manager.id),
      stranger: await createToken(db, (await createUser(db, 'officer', other!.id)).id),
    };
  });
  afterAll(async () => {
    await app.close();
    await Promise.all([database.drop(), env.teardown(), smtp.close()]);
  });

  it("shows each person their own inbox, and staff their office's notifications with every delivery's state", async () => {
    const rows = await rowsOf(mine.enrolment.id);
    const forBusiness = rows.filter((r) => r.recipientRole === 'business').map((r) => r.id);
    const inbox = await app.inject({ url: '/api/v1/notifications', headers: auth(tokens.business) });
    expect(ids(inbox).sort()).toEqual(forBusiness.sort());
    expect(inbox.json().items.find((n: { kind: string }) => n.kind === 'withdrawn')).toMatchObject({
      readAt: null,
      planned: true,
      title: { id: `Pendaftaran ditarik: ${mine.ctx.programmeNameId}` },
      deliveries: [{ channel: 'email', status: 'sent', attempts: 1, lastError: null, language: 'id' }],
    });
    const count = await app.inject({ url: '/api/v1/notifications/unread-count', headers: auth(tokens.business) });
    expect(count.json()).toEqual({ unread: 2 });

    // The withdrawal reached the officer assigned the case, not a colleague; the escalation the manager.
    const officer = await app.inject({ url: '/api/v1/notifications', headers: auth(tokens.officer) });
    expect(officer.json().items.map((n: { kind: string }) => n.kind)).toEqual(['withdrawn']);
    const manager = await app.inject({ url: '/api/v1/notifications', headers: auth(tokens.manager) });
    expect(manager.json().items.map((n: { kind: string }) => n.kind)).toEqual(['escalation']);
    const colleague = await app.inject({ url: '/api/v1/notifications', headers: auth(tokens.colleague) });
    expect(colleague.json().items.map((n: { kind: string }) => n.kind)).toEqual([]);

    const office = await app.inject({
      url: '/api/v1/notifications?scope=office&deliveryStatus=sent',
      headers: auth(tokens.colleague),
    });
    expect(office.statusCode).toBe(200);
    expect(ids(office)).toEqual(expect.arrayContaining(forBusiness));
    const stranger = await app.inject({ url: '/api/v1/notifications?scope=office', headers: auth(tokens.stranger) });
    expect(stranger.json().items).toEqual([]);
  });

  it('marks read only what was addressed to the caller, and all of an inbox at once', async () => {
    const [theirs] = (await rowsOf(neighbour.enrolment.id)).filter((r) => r.recipientRole === 'business');
    const own = (await rowsOf(mine.enrolment.id)).filter((r) => r.recipientRole === 'business');
    const post = (url: string, token: string) => app.inject({ method: 'POST', url, headers: auth(token) });
    expect((await post(`/api/v1/notifications/${theirs!.id}/read`, tokens.business)).statusCode).toBe(404);
    expect((await post(`/api/v1/notifications/${own[0]!.id}/read`, tokens.officer)).statusCode).toBe(403);
    const read = await post(`/api/v1/notifications/${own[0]!.id}/read`, tokens.business);
    expect(read.statusCode).toBe(200);
    expect(read.json().readAt).toEqual(expect.any(String));
    const count = await app.inject({ url: '/api/v1/notifications/unread-count', headers: auth(tokens.business) });
    expect(count.json()).toEqual({ unread: 1 });
    expect((await post('/api/v1/notifications/read-all', tokens.business)).json()).toEqual({ marked: 1 });
    expect((await post('/api/v1/notifications/read-all', tokens.business)).json()).toEqual({ marked: 0 });
    // Reading is per person: the officer's copy of the withdrawal is still unread.
    const officer = await app.inject({ url: '/api/v1/notifications?unread=true', headers: auth(tokens.officer) });
    expect(officer.json().items).toHaveLength(1);
    const audited = await database.db.select().from(auditLog).where(eq(auditLog.action, 'notification.read_all'));
    expect(audited).toHaveLength(1);
  });

  it('lets an officer of the office resend, with a new message key, audited', async () => {
    const [row] = (await rowsOf(mine.enrolment.id)).filter((r) => r.kind === 'withdrawn' && !r.recipientUserId);
    const url = `/api/v1/notifications/${row!.id}/resend`;
    expect((await app.inject({ method: 'POST', url, headers: auth(tokens.business) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url, headers: auth(tokens.stranger) })).statusCode).toBe(404);
    const none = await app.inject({
      method: 'POST',
      url,
      headers: auth(tokens.colleague),
      payload: { channels: ['whatsapp'] },
    });
    expect(none.statusCode).toBe(409);
    const res = await app.inject({ method: 'POST', url, headers: auth(tokens.colleague), payload: {} });
    expect(res.statusCode).toBe(202);
    expect(res.json().deliveries).toEqual([
      expect.objectContaining({ channel: 'email', status: 'queued', attempts: 0, messageKey: `${row!.id}.email.r1` }),
    ]);
    const audited = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'notification.resend'), eq(auditLog.entityId, row!.id)));
    expect(audited).toHaveLength(1);
    const [delivery] = await database.db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.notificationId, row!.id));
    expect(delivery!.resends).toBe(1);
  });

  it('keeps preferences per person; a bad phone number is a 400 naming the field, writing nothing', async () => {
    const get = await app.inject({ url: '/api/v1/notification-preferences', headers: auth(tokens.business) });
    expect(get.json()).toMatchObject({
      language: 'id',
      phone: '+6281234567890',
      channels: { email: true, whatsapp: true, webhook: true },
    });
    const before = await rowCounts(database);
    const bad = await app.inject({
      method: 'PUT',
      url: '/api/v1/notification-preferences',
      headers: auth(tokens.officer),
      payload: {
        language: 'en',
        phone: '12345',
        channels: { email: true, whatsapp: true, webhook: false },
        digest: false,
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(['body.phone']);
    expect(await rowCounts(database)).toEqual(before);

    const headers = { ...auth(tokens.officer), 'idempotency-key': 'prefs-officer-0001-abcdef' };
    const payload = {
      language: 'en',
      phone: '0812-5550-1234',
      channels: { email: false, whatsapp: true, webhook: false },
      digest: false,
    };
    const put = await app.inject({ method: 'PUT', url: '/api/v1/notification-preferences', headers, payload });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ language: 'en', phone: '+6281255501234', digest: false });
    const again = await app.inject({ method: 'PUT', url: '/api/v1/notification-preferences', headers, payload });
    expect(again.headers['idempotent-replayed']).toBe('true');
    const business = await app.inject({ url: '/api/v1/notification-preferences', headers: auth(tokens.business) });
    expect(business.json().language).toBe('id');
  });

  it('lets managers edit texts: an unknown placeholder is a 400 naming it; a preview fills the draft', async () => {
    const url = '/api/v1/notification-texts/reminder/en';
    const before = await rowCounts(database);
    const bad = await app.inject({
      method: 'PUT',
      url,
      headers: auth(tokens.manager),
      payload: { title: 'Reminder: {step}', body: 'Hello {owner}, {step} is due {due}.' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('{owner}'.slice(1, -1));
    expect(bad.json().errors).toEqual([{ path: 'body.body', message: expect.stringContaining('{owner}') }]);
    expect(await rowCounts(database)).toEqual(before);
    expect(
      (await app.inject({ method: 'PUT', url, headers: auth(tokens.officer), payload: { title: 'x', body: 'y' } }))
        .statusCode,
    ).toBe(403);

    const preview = await app.inject({
      method: 'POST',
      url: `${url}/preview`,
      headers: auth(tokens.manager),
      payload: { body: '{business}: {step} is due {due}.' },
    });
    expect(preview.json().body).toBe('UD Amplang Kuin: LPH audit is due Friday 11 December 2026, 4:00 pm WITA.');

    const put = await app.inject({
      method: 'PUT',
      url,
      headers: auth(tokens.manager),
      payload: { title: 'Please act: {step}', body: '{business}: {step} is due {due}.' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().en).toMatchObject({ title: 'Please act: {step}', custom: true });
    await recordNotice(database.db, mine.ctx, {
      kind: 'reminder',
      step: businessStep,
      visit: 1,
      occurrence: 'edited',
      at: daytime,
      dueAt: Date.UTC(2026, 11, 11, 8, 0),
    });
    const [row] = (await rowsOf(mine.enrolment.id)).filter((r) => r.dedupeKey.includes(':reminder:edited:'));
    expect(row!.titleEn).toBe(`Please act: ${businessStep.name.en}`);
    expect(row!.bodyEn).toBe(
      `${mine.business.name}: ${businessStep.name.en} is due Friday 11 December 2026, 4:00 pm WITA.`,
    );
    expect(row!.bodyId).toContain('Jumat, 11 Desember 2026 pukul 16.00 WITA');

    const restored = await app.inject({ method: 'DELETE', url, headers: auth(tokens.manager) });
    expect(restored.json().en).toMatchObject({ title: 'Reminder: {step}', custom: false });
  });
});
