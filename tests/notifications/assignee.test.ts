// Notices go to the case's assignee first: reminders, overdue notices and the daily digest of the office's steps reach
// the officer who handles the case (every officer of the office while nobody does), escalations the managers. Real
// Postgres, the time-skipping Temporal server with the real activities, and an smtp-server on loopback for the e-mail.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { and, eq, inArray } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { App } from '../../api/app.js';
import {
  defaultNotificationPreferences,
  enrolments,
  notificationDeliveries,
  notifications,
  offices,
  stepInstances,
  users,
} from '../../db/schema.js';
import { emailChannel } from '../../services/notifications/channels/email.js';
import { officerDigestItems, runSummaries } from '../../services/notifications/digest.js';
import { createDispatcher } from '../../services/notifications/dispatcher.js';
import { noticeContextOf, recordNotice, type NoticeKind } from '../../services/notifications/record.js';
import { startEnrolmentWorkflow } from '../../services/workflows.js';
import { statusQuery } from '../../workflows/messages.js';
import { multipart, samplePdf } from '../casework/support.js';
import { buildTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import {
  bilingual as name,
  createActiveEnrolment,
  createBusiness,
  createToken,
  testTemplate,
} from '../helpers/fixtures.js';
import { createTestWorker, createTimeSkippingEnv } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';
import { startSmtp } from './support.js';

const taskQueue = 'notifications-assignee';
/** One office step with two reminders, an overdue notice and an escalation; the business's step after it. */
function reviewTemplate() {
  return testTemplate({
    key: 'uji-penanggung-jawab',
    version: 1,
    name: name('Uji penanggung jawab'),
    description: name('Template uji'),
    firstStep: 'review',
    steps: [
      {
        key: 'review',
        name: name('Telaah berkas'),
        actor: 'officer',
        scope: 'business',
        due: { kind: 'working_days', days: 10 },
        reminders: [
          { relativeTo: 'before_due', workingDays: 5 },
          { relativeTo: 'before_due', workingDays: 2 },
        ],
        overdueNotice: true,
        escalation: { afterWorkingDays: 1, to: 'manager' },
        checklist: [{ key: 'berita_acara', name: name('Berita acara'), required: false }],
        outcomes: [{ key: 'ok', name: name('Sesuai'), next: 'revise' }],
      },
      {
        key: 'revise',
        name: name('Perbaikan'),
        actor: 'business',
        scope: 'business',
        due: { kind: 'working_days', days: 5 },
        outcomes: [{ key: 'done', name: name('Selesai'), next: null, terminal: 'completed' }],
      },
    ],
  });
}

describe('notices to the assignee first', () => {
  const template = reviewTemplate();
  const officeStep = template.steps[0]!;
  const businessStep = template.steps[1]!;
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let app: App;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    [database, env, smtp] = await Promise.all([createTestDatabase(), createTimeSkippingEnv(), startSmtp()]);
    worker = await createTestWorker(env, { taskQueue, activities: createActivities({ database }) });
    running = worker.run();
    app = await buildTestApp({ database, temporal: env.client, taskQueue });
  });
  afterAll(async () => {
    await app.close();
    worker.shutdown();
    await running;
    await Promise.all([database.drop(), env.teardown(), smtp.close()]);
  });

  /** An office of its own, so that its officers are exactly these; staff read e-mail at once (no digest). */
  async function newOffice() {
    const suffix = Math.random().toString(36).slice(2, 8);
    const [office] = await database.db
      .insert(offices)
      .values({ name: `Disperin uji ${suffix}`, level: 'kota', regionCode: '6371', timeZone: 'Asia/Makassar' })
      .returning();
    const prefs = { ...defaultNotificationPreferences, digest: false };
    const person = async (label: string, role: 'officer' | 'manager') => {
      const [u] = await database.db
        .insert(users)
        .values({
          name: label,
          role,
          officeId: office!.id,
          email: `${label}-${suffix}@disperin.id`,
          notificationPreferences: prefs,
        })
        .returning();
      return { ...u!, auth: { authorization: `Bearer ${await createToken(database.db, u!.id)}` } };
    };
    return {
      office: office!,
      ani: await person('ani', 'officer'),
      budi: await person('budi', 'officer'),
      kepala: await person('kepala', 'manager'),
    };
  }

  async function newCase(officeId: string) {
    const business = await createBusiness(database.db, officeId, { email: `ikm-${Math.random()}@contoh.id` });
    const enrolment = await createActiveEnrolment(database.db, template, business.id, officeId);
    const [businessUser] = await database.db
      .insert(users)
      .values({ name: 'Pemilik', role: 'business', officeId, businessId: business.id })
      .returning();
    return {
      business,
      enrolment,
      auth: { authorization: `Bearer ${await createToken(database.db, businessUser!.id)}` },
    };
  }

  const recipients = async (enrolmentId: string, kind: string) =>
    (
      await database.db
        .select({
          role: notifications.recipientRole,
          userId: notifications.recipientUserId,
          key: notifications.dedupeKey,
        })
        .from(notifications)
        .where(and(eq(notifications.enrolmentId, enrolmentId), eq(notifications.kind, kind)))
        .orderBy(notifications.scheduledFor, notifications.dedupeKey)
    ).map((r) => (r.userId ? `${r.role}:${r.userId}` : r.role));

  const assign = (auth: { authorization: string }, enrolmentId: string, userId: string | null) =>
    app.inject({
      method: 'PUT',
      url: `/api/v1/enrolments/${enrolmentId}/assignee`,
      headers: auth,
      payload: { userId },
    });

  it('addresses the office side of each notice to the assignee, else to every officer; escalations to the managers', async () => {
    const { office, ani, budi, kepala } = await newOffice();
    const { enrolment } = await newCase(office.id);
    const ctx = (await noticeContextOf(database.db, enrolment.id))!;
    let n = 0;
    const notice = (kind: NoticeKind, step = officeStep) =>
      recordNotice(database.db, ctx, { kind, step, visit: 1, occurrence: String(n++), at: Date.now(), dueAt: null });
    // Nobody handles the case yet: every officer of the office hears of it, no manager.
    await notice('reminder');
    expect((await recipients(enrolment.id, 'reminder')).sort()).toEqual(
      [`officer:${ani.id}`, `officer:${budi.id}`].sort(),
    );

    expect((await assign(kepala.auth, enrolment.id, ani.id)).statusCode).toBe(200);
    await notice('reminder');
    await notice('overdue', businessStep);
    await notice('escalation');
    await notice('stuck');
    expect((await recipients(enrolment.id, 'reminder')).slice(2)).toEqual([`officer:${ani.id}`]);
    expect((await recipients(enrolment.id, 'overdue')).sort()).toEqual(['business', `officer:${ani.id}`]);
    expect(await recipients(enrolment.id, 'escalation')).toEqual([`manager:${kepala.id}`]);
    expect((await recipients(enrolment.id, 'stuck')).sort()).toEqual(
      [`manager:${kepala.id}`, `officer:${ani.id}`].sort(),
    );

    // An assignee who has left (disabled) is nobody: the office's officers hear of the case again.
    await database.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, ani.id));
    const overdueBefore = (await recipients(enrolment.id, 'overdue')).length;
    await notice('overdue');
    expect((await recipients(enrolment.id, 'overdue')).slice(overdueBefore)).toEqual([`officer:${budi.id}`]);
    await database.db.update(users).set({ disabledAt: null }).where(eq(users.id, ani.id));

    // A manager who handles a case hears of it as its officer, once, even where managers are told too.
    expect((await assign(kepala.auth, enrolment.id, kepala.id)).statusCode).toBe(200);
    const before = (await recipients(enrolment.id, 'stuck')).length;
    await notice('stuck');
    expect((await recipients(enrolment.id, 'stuck')).slice(before)).toEqual([`officer:${kepala.id}`]);
  });

  it("gathers each person's digest from their own cases, the unassigned ones for every officer, and a manager's too", async () => {
    const { office, ani, budi, kepala } = await newOffice();
    const cases = await Promise.all([newCase(office.id), newCase(office.id), newCase(office.id), newCase(office.id)]);
    const [forAni, forBudi, forKepala, nobodys] = cases;
    await database.db.update(enrolments).set({ assigneeUserId: ani.id }).where(eq(enrolments.id, forAni!.enrolment.id));
    await database.db
      .update(enrolments)
      .set({ assigneeUserId: budi.id })
      .where(eq(enrolments.id, forBudi!.enrolment.id));
    await database.db
      .update(enrolments)
      .set({ assigneeUserId: kepala.id })
      .where(eq(enrolments.id, forKepala!.enrolment.id));
    // 10:00 WITA on a working Thursday; every step overdue since the day before.
    const now = Date.UTC(2026, 11, 10, 2, 0);
    await database.db.insert(stepInstances).values(
      cases.map((c) => ({
        enrolmentId: c.enrolment.id,
        stepKey: officeStep.key,
        status: 'open' as const,
        openedAt: new Date(now - 20 * 86_400_000),
        dueAt: new Date(now - 86_400_000),
      })),
    );
    const itemsOf = async (userId: string) =>
      (await officerDigestItems(database.db, userId, now)).map((i) => i.enrolmentId).sort();
    expect(await itemsOf(ani.id)).toEqual([forAni!.enrolment.id, nobodys!.enrolment.id].sort());
    expect(await itemsOf(budi.id)).toEqual([forBudi!.enrolment.id, nobodys!.enrolment.id].sort());
    expect(await itemsOf(kepala.id)).toEqual([forKepala!.enrolment.id]);

    // Budi leaves: his case is nobody's, so Ani's digest takes it.
    await database.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, budi.id));
    expect(await itemsOf(ani.id)).toEqual([forAni!.enrolment.id, forBudi!.enrolment.id, nobodys!.enrolment.id].sort());

    // The morning run writes the manager's digest of the case she handles, addressed to her as its officer.
    await database.db
      .update(users)
      .set({ notificationPreferences: defaultNotificationPreferences })
      .where(inArray(users.id, [ani.id, kepala.id]));
    await runSummaries(database.db, now);
    const digests = await database.db
      .select({ role: notifications.recipientRole, userId: notifications.recipientUserId, body: notifications.bodyId })
      .from(notifications)
      .where(and(eq(notifications.kind, 'daily_digest'), inArray(notifications.recipientUserId, [ani.id, kepala.id])));
    expect(digests.map((d) => `${d.role}:${d.userId}`).sort()).toEqual(
      [`officer:${ani.id}`, `officer:${kepala.id}`].sort(),
    );
    expect(digests.find((d) => d.userId === kepala.id)!.body).toContain(forKepala!.business.name);
  });

  it('sends a pending reminder to whoever is the assignee when it falls due, and e-mails each side its notices', async () => {
    const { office, ani, budi, kepala } = await newOffice();
    const { enrolment, business, auth: businessAuth } = await newCase(office.id);
    await startEnrolmentWorkflow(database.db, env.client, taskQueue, enrolment.id);
    const handle = env.client.workflow.getHandle(enrolment.workflowId);
    const state = await waitFor(
      async () => {
        const s = await handle.query(statusQuery);
        return s.current?.dueAt ? s : undefined;
      },
      { what: 'the review step to open' },
    );
    const [first, second, overdue, escalation] = state.current!.pendingNotices;
    expect([first?.kind, second?.kind, overdue?.kind, escalation?.kind]).toEqual([
      'reminder',
      'reminder',
      'overdue',
      'escalation',
    ]);
    const skipTo = async (at: number) => env.sleep(at - (await env.currentTimeMs()) + 60_000);
    const rowsOf = (kind: string, count: number) =>
      waitFor(
        async () => {
          const rows = await recipients(enrolment.id, kind);
          return rows.length >= count ? rows : undefined;
        },
        { what: `${count} ${kind} notices` },
      );

    // Opened while nobody handled it: both officers heard.
    expect((await rowsOf('step_opened', 2)).sort()).toEqual([`officer:${ani.id}`, `officer:${budi.id}`].sort());
    expect((await assign(kepala.auth, enrolment.id, ani.id)).statusCode).toBe(200);
    await skipTo(first!.at);
    expect(await rowsOf('reminder', 1)).toEqual([`officer:${ani.id}`]);

    // Reassigned while the second reminder waits on its timer: it goes to the new assignee, not to the one before.
    expect((await assign(kepala.auth, enrolment.id, budi.id)).statusCode).toBe(200);
    await skipTo(second!.at);
    expect(await rowsOf('reminder', 2)).toEqual([`officer:${ani.id}`, `officer:${budi.id}`]);
    await skipTo(escalation!.at);
    expect(await rowsOf('overdue', 1)).toEqual([`officer:${budi.id}`]);
    expect(await rowsOf('escalation', 1)).toEqual([`manager:${kepala.id}`]);

    // A shared note from the business reaches its officer; the officer's reaches the business.
    const note = (who: { authorization: string }, body: string) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/enrolments/${enrolment.id}/notes`,
        headers: who,
        payload: { body, visibility: 'shared' },
      });
    expect((await note(businessAuth, 'Berkas sudah kami kirim ulang')).statusCode).toBe(201);
    expect((await note(budi.auth, 'Baik, kami telaah')).statusCode).toBe(201);
    expect(await recipients(enrolment.id, 'note_shared')).toEqual([`officer:${budi.id}`, 'business']);

    // A document that needs revision: the business is told why.
    const file = multipart('berita-acara.pdf', samplePdf());
    const uploaded = await app.inject({
      method: 'POST',
      url: `/api/v1/enrolments/${enrolment.id}/steps/review/documents/berita_acara`,
      headers: { ...budi.auth, ...file.headers },
      payload: file.payload,
    });
    expect(uploaded.statusCode).toBe(201);
    const reviewed = await app.inject({
      method: 'POST',
      url: `/api/v1/documents/${uploaded.json().id}/review`,
      headers: budi.auth,
      payload: { decision: 'needs_revision', reason: 'Tanda tangan belum ada' },
    });
    expect(reviewed.statusCode).toBe(200);
    expect(await recipients(enrolment.id, 'document_needs_revision')).toEqual(['business']);

    // Every e-mail went to its person: the message id is the delivery's key, which names the notice.
    const morning = DateTime.now().setZone(office.timeZone).plus({ years: 1 }).set({ hour: 10, minute: 0 }).toMillis();
    const dispatcher = createDispatcher({
      database,
      channels: { email: emailChannel({ url: smtp.url, from: 'no-reply@disperin.id', ratePerSecond: 1000 }) },
      clock: () => morning,
    });
    await dispatcher.drain();
    await dispatcher.stop();
    const sent = await database.db
      .select({
        key: notificationDeliveries.messageKey,
        kind: notifications.kind,
        address: notificationDeliveries.address,
      })
      .from(notificationDeliveries)
      .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
      .where(and(eq(notifications.enrolmentId, enrolment.id), eq(notificationDeliveries.channel, 'email')));
    const kindOf = new Map(sent.map((s) => [`<${s.key}@disperin.id>`, s.kind]));
    const mails = smtp.received
      .filter((m) => kindOf.has(m.messageId))
      .map((m) => `${kindOf.get(m.messageId)} → ${m.to}`)
      .sort();
    expect(mails).toEqual(
      [
        `step_opened → ${ani.email}`,
        `step_opened → ${budi.email}`,
        `reminder → ${ani.email}`,
        `reminder → ${budi.email}`,
        `overdue → ${budi.email}`,
        `escalation → ${kepala.email}`,
        `note_shared → ${budi.email}`,
        `note_shared → ${business.email}`,
        `document_needs_revision → ${business.email}`,
      ].sort(),
    );
    expect(sent).toHaveLength(mails.length);
  });
});
