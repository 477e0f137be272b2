// Delivery through real parts: smtp-server on loopback, local HTTP fakes of the WhatsApp Cloud API and of a webhook
// receiver, the real database. The dispatcher's clock is injected, so quiet hours and retries need no waiting.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businesses, notificationDeliveries, notifications, users } from '../../db/schema.js';
import { emailChannel } from '../../services/notifications/channels/email.js';
import { webhookChannel } from '../../services/notifications/channels/webhook.js';
import { whatsappChannel } from '../../services/notifications/channels/whatsapp.js';
import { createDispatcher, type DispatcherOptions } from '../../services/notifications/dispatcher.js';
import { recordNotice } from '../../services/notifications/record.js';
import { UnsafeUrlError } from '../../services/url-guard.js';
import { channelsFromConfig } from '../../infra/notifications.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/wait.js';
import { businessStep, daytime, enrolledBusiness, officerStep, startHttp, startSmtp } from './support.js';

const from = 'pendamping <no-reply@disperin.id>';

describe('notification delivery', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  const dispatcherWith = (options: Omit<DispatcherOptions, 'database'>) =>
    createDispatcher({ database, backoffMs: () => 1_000, ...options });

  async function deliveriesOf(enrolmentId: string) {
    return database.db
      .select({ d: notificationDeliveries, kind: notifications.kind, occurrence: notifications.dedupeKey })
      .from(notificationDeliveries)
      .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
      .where(eq(notifications.enrolmentId, enrolmentId));
  }

  async function reminders(ctx: Awaited<ReturnType<typeof enrolledBusiness>>['ctx'], count: number, first = 0) {
    for (let i = first; i < first + count; i++) {
      await recordNotice(database.db, ctx, {
        kind: 'reminder',
        step: businessStep,
        visit: 1,
        occurrence: String(i),
        at: daytime,
        dueAt: daytime + 86_400_000,
      });
    }
  }

  it('delivers every e-mail exactly once while the SMTP server is slow, then down, then back', async () => {
    const smtp = await startSmtp();
    const { ctx, enrolment } = await enrolledBusiness(database.db, { phone: null });
    const clock = { now: daytime };
    const dispatcher = dispatcherWith({
      channels: { email: emailChannel({ url: smtp.url, from, ratePerSecond: 1000, connections: 2 }) },
      clock: () => clock.now,
    });
    smtp.state.delayMs = 200;
    await reminders(ctx, 4);
    await dispatcher.drain();
    expect(smtp.received).toHaveLength(4);

    await smtp.down();
    await reminders(ctx, 4, 4);
    await dispatcher.plan();
    await dispatcher.dispatch();
    const failed = (await deliveriesOf(enrolment.id)).filter((r) => r.d.status === 'queued');
    expect(failed).toHaveLength(4);
    expect(failed.every((r) => r.d.attempts === 1 && r.d.lastError)).toBe(true);

    await smtp.up();
    smtp.state.delayMs = 0;
    clock.now += 1_000;
    await dispatcher.drain();
    const rows = await deliveriesOf(enrolment.id);
    expect(rows.map((r) => r.d.status)).toEqual(Array(8).fill('sent'));
    const ids = smtp.received.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(8);
    expect(ids.sort()).toEqual(rows.map((r) => `<${r.d.messageKey}@disperin.id>`).sort());
    await dispatcher.stop();
    await smtp.close();
  });

  it('loses nothing when the worker is killed mid-send; a duplicate carries the same Message-ID', async () => {
    const smtp = await startSmtp();
    smtp.state.delayMs = 100;
    const { ctx, enrolment } = await enrolledBusiness(database.db, { phone: null });
    await reminders(ctx, 12);
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/notifications/fixtures/dispatch-child.ts'], {
      env: { ...process.env, DATABASE_URL: database.url, SMTP_URL: smtp.url, CLOCK: String(daytime) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await waitFor(() => smtp.received.length >= 3, { what: 'three messages from the child worker', timeoutMs: 15_000 });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(smtp.received.length).toBeLessThan(12);

    // Another worker, once the dead one's lease has run out.
    smtp.state.delayMs = 0;
    const dispatcher = dispatcherWith({
      channels: { email: emailChannel({ url: smtp.url, from, ratePerSecond: 1000 }) },
      clock: () => daytime + 120_000,
    });
    await dispatcher.drain();
    await dispatcher.stop();
    const rows = await deliveriesOf(enrolment.id);
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.d.status === 'sent')).toBe(true);
    const expected = new Set(rows.map((r) => `<${r.d.messageKey}@disperin.id>`));
    const received = smtp.received.map((m) => m.messageId);
    expect(new Set(received)).toEqual(expected);
    expect(received.length).toBeGreaterThanOrEqual(12);
    await smtp.close();
  });

  it('retries a webhook that answered 500, with the same idempotency key and a valid signature', async () => {
    const receiver = await startHttp((_req, i) => ({ status: i === 0 ? 500 : 200 }));
    const { ctx, enrolment } = await enrolledBusiness(database.db, { email: null, phone: null });
    const secret = 'rahasia-webhook-0123456789';
    const clock = { now: daytime };
    const dispatcher = dispatcherWith({
      channels: {
        webhook: await webhookChannel({
          url: `${receiver.url}/hooks/sms`,
          secret,
          allowPrivateTargets: true,
          ratePerSecond: 100,
          clock: () => clock.now,
        }),
      },
      clock: () => clock.now,
    });
    await reminders(ctx, 1);
    await dispatcher.plan();
    await dispatcher.dispatch();
    let [row] = await deliveriesOf(enrolment.id);
    expect(row!.d).toMatchObject({ channel: 'webhook', status: 'queued', attempts: 1, lastError: 'webhook 500: {}' });
    clock.now += 1_000;
    await dispatcher.drain();
    [row] = await deliveriesOf(enrolment.id);
    expect(row!.d).toMatchObject({ status: 'sent', attempts: 2, lastError: null });

    expect(receiver.requests).toHaveLength(2);
    const keys = receiver.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual([row!.d.messageKey, row!.d.messageKey]);
    for (const r of receiver.requests) {
      const timestamp = r.headers['x-pendamping-timestamp'] as string;
      const mac = createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex');
      expect(r.headers['x-pendamping-signature']).toBe(`sha256=${mac}`);
      expect(r.url).toBe('/hooks/sms');
      expect(JSON.parse(r.body)).toMatchObject({ id: row!.d.messageKey, kind: 'reminder', language: 'id' });
    }
    expect(receiver.requests.map((r) => Number(r.headers['x-pendamping-timestamp']))).toEqual([
      daytime / 1000,
      daytime / 1000 + 1,
    ]);
    await dispatcher.stop();
    await receiver.close();
  });

  it('refuses a webhook target on a loopback, private or link-local address unless private targets are allowed', async () => {
    for (const url of [
      'https://127.0.0.1/hook',
      'https://10.1.2.3/hook',
      'https://169.254.169.254/latest',
      'http://example.id/',
    ]) {
      await expect(
        webhookChannel({ url, secret: 'x'.repeat(16), allowPrivateTargets: false, ratePerSecond: 1 }),
        url,
      ).rejects.toBeInstanceOf(UnsafeUrlError);
    }
    const config = {
      SMTP_URL: undefined,
      SMTP_FROM: from,
      SMTP_RATE_PER_SECOND: 1,
      WHATSAPP_API_URL: 'https://graph.facebook.com/v21.0',
      WHATSAPP_TOKEN: undefined,
      WHATSAPP_PHONE_NUMBER_ID: undefined,
      WHATSAPP_RATE_PER_SECOND: 1,
      WEBHOOK_URL: 'https://192.168.1.10/sms',
      WEBHOOK_SECRET: 'x'.repeat(16),
      WEBHOOK_ALLOW_PRIVATE_TARGETS: false,
      WEBHOOK_RATE_PER_SECOND: 1,
    };
    const said: string[] = [];
    await expect(channelsFromConfig(config, (l) => said.push(l))).rejects.toBeInstanceOf(UnsafeUrlError);
    const allowed = await channelsFromConfig({ ...config, WEBHOOK_ALLOW_PRIVATE_TARGETS: true }, (l) => said.push(l));
    expect(Object.keys(allowed)).toEqual(['webhook']);
    expect(said).toEqual(expect.arrayContaining(['notifications: e-mail off (SMTP_URL not set)']));
  });

  it('sends WhatsApp template messages exactly as the Cloud API expects, paced below its rate limit', async () => {
    const seen: number[] = [];
    const api = await startHttp(() => {
      const now = Date.now();
      seen.push(now);
      // The fake provider refuses more than 6 messages in any second, as a throttled account would.
      const lastSecond = seen.filter((t) => t > now - 1000).length;
      return lastSecond > 6
        ? { status: 429, body: { error: { code: 130429 } } }
        : { status: 200, body: { messaging_product: 'whatsapp', messages: [{ id: `wamid.${seen.length}` }] } };
    });
    const { ctx, enrolment } = await enrolledBusiness(database.db, { email: null, phone: '+6281255501234' });
    const dispatcher = dispatcherWith({
      channels: {
        whatsapp: whatsappChannel({
          apiUrl: `${api.url}/v21.0`,
          token: 'wa-token-123',
          phoneNumberId: '106540352242922',
          ratePerSecond: 5,
        }),
      },
      clock: () => daytime,
    });
    await reminders(ctx, 10);
    await dispatcher.drain();
    const rows = await deliveriesOf(enrolment.id);
    expect(rows.map((r) => r.d.status)).toEqual(Array(10).fill('sent'));
    expect(rows.every((r) => r.d.attempts === 1 && r.d.providerMessageId?.startsWith('wamid.'))).toBe(true);
    expect(api.requests).toHaveLength(10);

    const first = rows.find((r) => r.occurrence.includes(':reminder:0:'))!;
    const request = api.requests.find((r) => JSON.parse(r.body).biz_opaque_callback_data === first.d.messageKey)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v21.0/106540352242922/messages');
    expect(request.headers.authorization).toBe('Bearer wa-token-123');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '6281255501234',
      type: 'template',
      template: {
        name: 'pendamping_reminder',
        language: { code: 'id' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: ctx.businessName },
              { type: 'text', text: ctx.programmeNameId },
              { type: 'text', text: businessStep.name.id },
              { type: 'text', text: 'Jumat, 11 Desember 2026 pukul 10.00 WITA' },
            ],
          },
        ],
      },
      biz_opaque_callback_data: first.d.messageKey,
    });
    await dispatcher.stop();
    await api.close();
  });

  it('holds WhatsApp in quiet hours until 07:00 WITA; the webhook goes at once', async () => {
    const api = await startHttp(() => ({ status: 200, body: { messages: [{ id: 'wamid.q' }] } }));
    const hook = await startHttp(() => ({ status: 204 }));
    const { ctx, enrolment } = await enrolledBusiness(database.db, { email: null, phone: '+6281299900001' });
    const mine = () => api.requests.filter((r) => JSON.parse(r.body).to === '6281299900001');
    const clock = { now: Date.UTC(2026, 11, 10, 14, 30) }; // 22:30 WITA
    const dispatcher = dispatcherWith({
      channels: {
        whatsapp: whatsappChannel({ apiUrl: api.url, token: 't', phoneNumberId: '12345', ratePerSecond: 100 }),
        webhook: await webhookChannel({
          url: hook.url,
          secret: 's'.repeat(16),
          allowPrivateTargets: true,
          ratePerSecond: 100,
        }),
      },
      clock: () => clock.now,
    });
    await recordNotice(database.db, ctx, {
      kind: 'overdue',
      step: businessStep,
      visit: 1,
      occurrence: '0',
      at: clock.now,
      dueAt: clock.now - 3_600_000,
    });
    await dispatcher.drain();
    const planned = await deliveriesOf(enrolment.id);
    const whatsapp = planned.find((r) => r.d.channel === 'whatsapp')!;
    expect(whatsapp.d.status).toBe('queued');
    expect(whatsapp.d.nextAttemptAt.toISOString()).toBe('2026-12-10T23:00:00.000Z'); // 07:00 WITA
    expect(hook.requests).toHaveLength(1);
    for (const at of [Date.UTC(2026, 11, 10, 18, 0), Date.UTC(2026, 11, 10, 22, 59, 59)]) {
      clock.now = at;
      await dispatcher.drain();
      expect(mine(), new Date(at).toISOString()).toHaveLength(0);
    }
    clock.now = Date.UTC(2026, 11, 10, 23, 0);
    await dispatcher.drain();
    expect(mine()).toHaveLength(1);
    await dispatcher.stop();
    await Promise.all([api.close(), hook.close()]);
  });

  it("respects each person's channels and language, and keeps officers' routine notices for the digest", async () => {
    const smtp = await startSmtp();
    const { ctx, enrolment, business, officer } = await enrolledBusiness(database.db, { preferredLanguage: 'en' });
    await database.db
      .update(businesses)
      .set({ notificationPreferences: { email: true, whatsapp: false, webhook: false, digest: false } })
      .where(eq(businesses.id, business.id));
    const api = await startHttp(() => ({ status: 200, body: {} }));
    const dispatcher = dispatcherWith({
      channels: {
        email: emailChannel({ url: smtp.url, from, ratePerSecond: 100 }),
        whatsapp: whatsappChannel({ apiUrl: api.url, token: 't', phoneNumberId: '12345', ratePerSecond: 100 }),
      },
      clock: () => daytime,
    });
    const notice = { visit: 1, occurrence: '0', at: daytime, dueAt: daytime + 86_400_000 };
    await recordNotice(database.db, ctx, { ...notice, kind: 'step_opened', step: businessStep });
    await recordNotice(database.db, ctx, { ...notice, kind: 'step_opened', step: officerStep });
    await recordNotice(database.db, ctx, { ...notice, kind: 'withdrawn', step: null, reason: 'pindah usaha' });
    await dispatcher.drain();

    expect(api.requests).toHaveLength(0);
    const toBusiness = smtp.received.filter((m) => m.to === business.email);
    expect(toBusiness.map((m) => m.subject).sort()).toEqual([
      `Enrolment withdrawn: ${ctx.programmeNameEn}`,
      `New step: ${businessStep.name.en}`,
    ]);
    // The officer takes the digest: the opened officer step waits for it; the withdrawal comes at once, in Indonesian.
    const toOfficer = smtp.received.filter((m) => m.to === officer.email);
    expect(toOfficer.map((m) => m.subject)).toEqual([`Pendaftaran ditarik: ${ctx.programmeNameId}`]);
    const officerRows = await database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.enrolmentId, enrolment.id), eq(notifications.recipientUserId, officer.id)));
    expect(officerRows.map((r) => r.kind).sort()).toEqual(['step_opened', 'withdrawn']);

    // A disabled officer gets nothing delivered.
    await database.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, officer.id));
    await recordNotice(database.db, ctx, { ...notice, kind: 'completed', step: null });
    await dispatcher.drain();
    const officerDeliveries = await database.db
      .select()
      .from(notificationDeliveries)
      .where(inArray(notificationDeliveries.address, [officer.email!]));
    expect(officerDeliveries).toHaveLength(1);
    await dispatcher.stop();
    await Promise.all([smtp.close(), api.close()]);
  });
});
