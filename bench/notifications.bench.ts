// Notification delivery: 10,000 e-mails through the dispatcher (plan, claim with SKIP LOCKED, send, mark, each row's
// state in Postgres) to a local smtp-server, against raw nodemailer sends of the same messages to the same server over
// the same number of pooled connections, in the same run. And the time from a step opening (recordNotice in the
// activity's transaction) to its message at the SMTP server, with the dispatcher polling as it does in the worker.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { enrolments, notifications, programmes, programmeVersions } from '../db/schema.js';
import { outsideQuietHours } from '../domain/quiet-hours.js';
import { halalSelfDeclare } from '../domain/templates/index.js';
import { emailChannel } from '../services/notifications/channels/email.js';
import { createDispatcher } from '../services/notifications/dispatcher.js';
import { recordNotice } from '../services/notifications/record.js';
import type { BenchMetric } from './run.js';
import { insertBusinesses, median, startStack } from './stack.js';

const messages = 10_000;
const rounds = 3;
const connections = 5;
const from = 'pendamping <no-reply@disperin.id>';

/** An SMTP server on loopback that counts what it accepts and tells who waits for a Message-ID. */
async function startSmtp() {
  let accepted = 0;
  const arrived = new Set<string>();
  const waiting = new Map<string, () => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 100,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 4096) head += c.toString('utf8');
      });
      stream.on('end', () => {
        accepted++;
        const id = /^Message-ID:\s*<([^>]+)>/im.exec(head)?.[1];
        if (id) {
          arrived.add(id);
          waiting.get(id)?.();
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    get accepted() {
      return accepted;
    },
    /** Resolves once the message is in, also when it came before anyone asked. */
    arrival: (messageId: string) =>
      new Promise<void>((resolve) => (arrived.has(messageId) ? resolve() : waiting.set(messageId, resolve))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Raw nodemailer: the same pool, the same number of sends in flight as the e-mail channel allows. */
async function rawSends(url: string, recipients: string[]): Promise<number> {
  const transport = nodemailer.createTransport({ url, pool: true, maxConnections: connections, maxMessages: Infinity });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections * 4 }, async () => {
      while (next < recipients.length) {
        const i = next++;
        await transport.sendMail({
          from,
          to: recipients[i],
          subject: 'Pengingat: Unggah dokumen',
          text: 'UD Amplang Kuin — Sertifikasi Halal: langkah "Unggah dokumen" jatuh tempo Jumat, 11 Desember 2026 pukul 16.00 WITA.',
          messageId: `<${randomUUID()}.email@disperin.id>`,
        });
      }
    }),
  );
  transport.close();
  return recipients.length / ((performance.now() - started) / 1000);
}

/** 10,000 notification rows for businesses with e-mail, as the engine would have recorded them. */
async function recordMany(database: Database, officeId: string, businessIds: string[], at: number) {
  const batch = `${Date.now()}`;
  for (let i = 0; i < messages; i += 1000) {
    await database.db.insert(notifications).values(
      Array.from({ length: Math.min(1000, messages - i) }, (_, j) => ({
        dedupeKey: `bench:${batch}:${i + j}`,
        businessId: businessIds[(i + j) % businessIds.length]!,
        officeId,
        recipientRole: 'business' as const,
        kind: 'reminder',
        titleId: 'Pengingat: Unggah dokumen',
        titleEn: 'Reminder: Upload documents',
        bodyId:
          'UD Amplang Kuin — Sertifikasi Halal: langkah "Unggah dokumen" jatuh tempo Jumat, 11 Desember 2026 pukul 16.00 WITA.',
        bodyEn:
          'UD Amplang Kuin — Halal certification: step "Upload documents" is due Friday 11 December 2026, 4:00 pm WITA.',
        params: { id: [], en: [] },
        scheduledFor: new Date(at),
      })),
    );
  }
}

export default async function notificationsBench(): Promise<BenchMetric[]> {
  const stack = await startStack({ temporal: false });
  const smtp = await startSmtp();
  const { database, kalselId } = stack;
  const list = await insertBusinesses(database, kalselId, 1000);
  await database.db.execute(sql`update businesses set email = 'ikm-' || nib || '@contoh.id'`);
  // Messages go out outside quiet hours; the benchmark runs whenever it is started, so its clock is moved to a morning.
  const shift = outsideQuietHours(Date.now(), 'Asia/Makassar') - Date.now();
  const clock = () => Date.now() + shift;
  const channel = () => emailChannel({ url: smtp.url, from, ratePerSecond: 100_000, connections });

  const raw: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const r = await rawSends(
      smtp.url,
      Array.from({ length: messages }, (_, i) => `ikm-${list[i % list.length]!.nib}@contoh.id`),
    );
    await recordMany(
      database,
      kalselId,
      list.map((b) => b.id),
      clock(),
    );
    const dispatcher = createDispatcher({ database, channels: { email: channel() }, clock });
    const before = smtp.accepted;
    const started = performance.now();
    await dispatcher.drain();
    const o = messages / ((performance.now() - started) / 1000);
    await dispatcher.stop();
    if (smtp.accepted - before !== messages) throw new Error(`expected ${messages}, got ${smtp.accepted - before}`);
    raw.push(r);
    ours.push(o);
    ratios.push(o / r);
    console.log(`round ${round + 1}: raw ${r.toFixed(0)}/s, dispatcher ${o.toFixed(0)}/s, ratio ${(o / r).toFixed(3)}`);
  }

  // Step opened → message at the SMTP server, one at a time, the dispatcher polling as in the worker.
  await database.db
    .insert(programmes)
    .values({ key: halalSelfDeclare.key, nameId: halalSelfDeclare.name.id, nameEn: halalSelfDeclare.name.en })
    .onConflictDoNothing();
  await database.db
    .insert(programmeVersions)
    .values({ programmeKey: halalSelfDeclare.key, version: halalSelfDeclare.version, template: halalSelfDeclare })
    .onConflictDoNothing();
  const step = halalSelfDeclare.steps.find((s) => s.actor === 'business')!;
  const dispatcher = createDispatcher({ database, channels: { email: channel() }, clock });
  dispatcher.start();
  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const business = list[i]!;
    const [enrolment] = await database.db
      .insert(enrolments)
      .values({
        workflowId: `bench-latency-${i}`,
        businessId: business.id,
        officeId: kalselId,
        programmeKey: halalSelfDeclare.key,
        programmeVersion: halalSelfDeclare.version,
        year: 2026,
        status: 'active',
      })
      .returning();
    const started = performance.now();
    const ctx = {
      enrolment: enrolment!,
      businessName: business.name,
      zone: 'Asia/Makassar',
      programmeNameId: halalSelfDeclare.name.id,
      programmeNameEn: halalSelfDeclare.name.en,
    };
    await database.db.transaction((tx) =>
      recordNotice(tx, ctx, { kind: 'step_opened', step, visit: 1, occurrence: '0', at: clock(), dueAt: null }),
    );
    const [row] = await database.db.execute<{ id: string }>(
      sql`select id from notifications where enrolment_id = ${enrolment!.id}`,
    );
    await smtp.arrival(`${row!.id}.email@disperin.id`);
    latencies.push(performance.now() - started);
  }
  await dispatcher.stop();
  const sorted = [...latencies].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

  await smtp.close();
  await stack.stop();
  return [
    {
      metric: `raw nodemailer sends (median of ${rounds} × 10,000, ${connections} connections)`,
      value: median(raw),
      unit: 'messages/s',
      goal: 0,
      better: 'higher',
    },
    {
      metric: 'dispatcher deliveries, state in Postgres (same run)',
      value: median(ours),
      unit: 'messages/s',
      goal: 0,
      better: 'higher',
    },
    {
      metric: 'dispatcher / raw nodemailer (median of the rounds)',
      value: median(ratios),
      unit: 'ratio',
      goal: 0.8,
      better: 'higher',
    },
    {
      metric: 'step opened → message at the SMTP server, p50 (200 steps)',
      value: p(0.5),
      unit: 'ms',
      goal: 1000,
      better: 'lower',
    },
    {
      metric: 'step opened → message at the SMTP server, p99 (200 steps)',
      value: p(0.99),
      unit: 'ms',
      goal: 1000,
      better: 'lower',
    },
  ];
}
