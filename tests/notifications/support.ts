// Real parts for the delivery tests: an SMTP server (smtp-server) and HTTP servers on loopback, and the rows a
// notification needs. Waiting is polling with a deadline, never a fixed sleep.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { builtInTemplates } from '../../domain/templates/index.js';
import type { Db } from '../../db/client.js';
import { eq } from 'drizzle-orm';
import { enrolments, users } from '../../db/schema.js';
import { createActiveEnrolment, createBusiness, kalselOffice } from '../helpers/fixtures.js';

export interface ReceivedMail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
}

/** Header value of a raw message (folded lines joined). */
function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
}

/** An SMTP server on loopback that can be made slow, and stopped and started again on the same port. */
export async function startSmtp() {
  const received: ReceivedMail[] = [];
  const state = { delayMs: 0 };
  let server: SMTPServer | null = null;
  let port = 0;
  const listen = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // Going down drops open connections at once rather than letting them finish (30 s by default).
      closeTimeout: 50,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          setTimeout(() => {
            received.push({
              messageId: header(raw, 'Message-ID'),
              to: header(raw, 'To'),
              subject: header(raw, 'Subject'),
              text: raw
                .split(/\r?\n\r?\n/)
                .slice(1)
                .join('\n\n'),
            });
            callback();
          }, state.delayMs);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server!.server.address() as AddressInfo).port;
  };
  await listen();
  return {
    received,
    state,
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    /** Stops listening and drops open connections: the server is down. */
    async down() {
      const s = server!;
      server = null;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    up: listen,
    async close() {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP server on loopback answering each request with what `answer` says. */
export async function startHttp(answer: (req: ReceivedRequest, index: number) => { status: number; body?: unknown }) {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = {
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(request);
      const { status, body } = answer(request, requests.length - 1);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    requests,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const halal = builtInTemplates.find((t) => t.key === 'halal-self-declare')!;
export const businessStep = halal.steps.find((s) => s.actor === 'business')!;
export const officerStep = halal.steps.find((s) => s.actor !== 'business' && s.escalation)!;

/** 10:00 WITA on a working Thursday: outside quiet hours. */
export const daytime = Date.UTC(2026, 11, 10, 2, 0);

/** An office's business (with e-mail and WhatsApp), the officer assigned its case, a manager, and the enrolment. */
export async function enrolledBusiness(
  db: Db,
  business: { email?: string | null; phone?: string | null; preferredLanguage?: 'id' | 'en' } = {},
) {
  const office = await kalselOffice(db);
  const suffix = Math.random().toString(36).slice(2, 8);
  const b = await createBusiness(db, office.id, {
    name: `UD Amplang ${suffix}`,
    email: 'email' in business ? business.email : `ikm-${suffix}@contoh.id`,
    phone: 'phone' in business ? business.phone : '+6281234567890',
    preferredLanguage: business.preferredLanguage ?? 'id',
  });
  const [officer] = await db
    .insert(users)
    .values({ name: 'Rahmat', role: 'officer', officeId: office.id, email: `officer-${suffix}@disperin.id` })
    .returning();
  const [manager] = await db
    .insert(users)
    .values({ name: 'Bu Kepala', role: 'manager', officeId: office.id, email: `manager-${suffix}@disperin.id` })
    .returning();
  const created = await createActiveEnrolment(db, halal, b.id, office.id);
  const [enrolment] = await db
    .update(enrolments)
    .set({ assigneeUserId: officer!.id })
    .where(eq(enrolments.id, created.id))
    .returning();
  const ctx = {
    enrolment: enrolment!,
    businessName: b.name,
    zone: office.timeZone,
    programmeNameId: halal.name.id,
    programmeNameEn: halal.name.en,
  };
  return { office, business: b, officer: officer!, manager: manager!, enrolment: enrolment!, ctx };
}
