// Who hears of each event, against the real database: the engine's events through recordNotice, and the intake's
// (enrolled, waitlisted, promoted, withdrawn from the waitlist) through the real intake and quota services.
import { and, eq, isNull, like } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, quotas, stepInstances, users } from '../../db/schema.js';
import { enrolBusiness, latestProgrammeVersion, withdrawWaitlisted } from '../../services/enrolment-intake.js';
import { releasePlaceAndPromote } from '../../services/quota.js';
import { recordNotice, recordStepNotice, type NoticeKind } from '../../services/notifications/record.js';
import { noticeKinds } from '../../services/notifications/texts.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { insertBusinesses } from '../quotas/support.js';
import { businessStep, daytime, enrolledBusiness, halal, officerStep } from './support.js';

describe('notification events and their recipients', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  const recipientsOf = async (enrolmentId: string, kind: string) =>
    (
      await database.db
        .select({ role: notifications.recipientRole, userId: notifications.recipientUserId })
        .from(notifications)
        .where(and(eq(notifications.enrolmentId, enrolmentId), eq(notifications.kind, kind)))
    )
      .map((r) => (r.userId ? `${r.role}:${r.userId}` : r.role))
      .sort();

  it('sends each engine event to the party that must act, the officer in charge, or the escalation target', async () => {
    const { ctx, enrolment, officer, manager } = await enrolledBusiness(database.db);
    const [head] = await database.db
      .insert(users)
      .values({ name: 'Kepala Dinas', role: 'manager', officeId: ctx.enrolment.officeId, headOfOffice: true })
      .returning();
    const base = { visit: 1, occurrence: '0', at: daytime, dueAt: daytime + 86_400_000 };
    const stepOf: Partial<Record<NoticeKind, typeof businessStep>> = {
      step_opened: businessStep,
      reminder: officerStep,
      overdue: businessStep,
      escalation: officerStep,
      step_completed: businessStep,
      extended: officerStep,
      deadline_moved: businessStep,
      paused: businessStep,
      resumed: businessStep,
      stuck: officerStep,
    };
    for (const kind of noticeKinds) {
      await recordNotice(database.db, ctx, {
        ...base,
        kind,
        step: stepOf[kind] ?? null,
        previousDueAt: daytime,
        reason: 'alasan',
        outcome: { id: 'Lulus', en: 'Passed' },
        certificateNumber: 'ID63110000123450126',
        waitlistPosition: 2,
      });
    }
    // A retried activity writes nothing new.
    await recordNotice(database.db, ctx, { ...base, kind: 'step_opened', step: businessStep });

    const o = `officer:${officer.id}`;
    const m = `manager:${manager.id}`;
    const expected: Record<NoticeKind, string[]> = {
      enrolled: ['business'],
      waitlisted: ['business'],
      promoted: ['business', o],
      step_opened: ['business'],
      reminder: [o],
      overdue: ['business', o],
      escalation: [m, `manager:${head!.id}`],
      step_completed: ['business', o],
      extended: [o],
      deadline_moved: ['business', o],
      paused: ['business', o],
      resumed: ['business', o],
      withdrawn: ['business', o],
      stuck: [m, `manager:${head!.id}`, o],
      certificate_issued: ['business', o],
      completed: ['business', o],
      failed: ['business', o],
      recertification_started: ['business', o],
      document_reviewed: ['business'],
      document_needs_revision: ['business'],
      // Addressed by its caller (the side that did not write the note), never by its kind.
      note_shared: [],
    };
    for (const kind of noticeKinds)
      expect(await recipientsOf(enrolment.id, kind), kind).toEqual([...expected[kind]].sort());

    // A template escalating to the head of office reaches only the managers marked so.
    const toHead = { ...officerStep, escalation: { afterWorkingDays: 0, to: 'head_of_office' as const } };
    await recordNotice(database.db, ctx, { ...base, occurrence: 'head', kind: 'escalation', step: toHead });
    const heads = await database.db
      .select({ userId: notifications.recipientUserId })
      .from(notifications)
      .where(
        and(
          eq(notifications.enrolmentId, enrolment.id),
          eq(notifications.dedupeKey, `${enrolment.id}:${toHead.key}:1:escalation:head:user-${head!.id}`),
        ),
      );
    expect(heads).toHaveLength(1);

    const [certificate] = await database.db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.enrolmentId, enrolment.id),
          eq(notifications.kind, 'certificate_issued'),
          isNull(notifications.recipientUserId),
        ),
      );
    expect(certificate!.bodyId).toContain('nomor ID63110000123450126');
    const [extended] = await database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.enrolmentId, enrolment.id), eq(notifications.kind, 'extended')));
    expect(extended!.bodyEn).toBe(
      `${ctx.businessName} — ${ctx.programmeNameEn}: the deadline of step "${officerStep.name.en}" moved from ` +
        'Thursday 10 December 2026, 10:00 am WITA to Friday 11 December 2026, 10:00 am WITA. Reason: alasan.',
    );
    const [failed] = await database.db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.enrolmentId, enrolment.id),
          eq(notifications.kind, 'failed'),
          isNull(notifications.recipientUserId),
        ),
      );
    expect(failed!.titleId).toBe(`Tidak berhasil: ${ctx.programmeNameId}`);
  });

  it('tells a business it is enrolled, waitlisted with its position, promoted, or withdrawn from the waitlist', async () => {
    const { office } = await enrolledBusiness(database.db);
    const published = (await latestProgrammeVersion(database.db, halal.key))!;
    const year = 2031;
    const [quota] = await database.db
      .insert(quotas)
      .values({ programmeKey: halal.key, year, officeId: office.id, placesLimit: 1 })
      .returning();
    const intake = {
      programmeKey: halal.key,
      year,
      officeId: office.id,
      cohortId: null,
      programmeVersion: published.version,
      template: published.template,
    };
    const source = {
      requestId: 'test',
      principal: { userId: null, role: 'admin' as const, officeId: null, businessId: null },
    };
    const [first, second, third] = await insertBusinesses(database.db, office.id, 3);
    const enrol = async (b: typeof first) => {
      const outcome = await enrolBusiness(database.db, source, intake, b!, quota!.id);
      if (!outcome.ok) throw new Error(outcome.reason);
      return outcome.enrolment;
    };
    const a = await enrol(first);
    const b = await enrol(second);
    const c = await enrol(third);
    expect([a.status, b.status, c.status]).toEqual(['active', 'waitlisted', 'waitlisted']);
    const bodyOf = async (enrolmentId: string, kind: string) =>
      (
        await database.db
          .select({ title: notifications.titleId, body: notifications.bodyId, en: notifications.bodyEn })
          .from(notifications)
          .where(and(eq(notifications.enrolmentId, enrolmentId), eq(notifications.kind, kind)))
      )[0];
    expect(await bodyOf(a.id, 'enrolled')).toMatchObject({ title: `Terdaftar: ${published.template.name.id}` });
    expect((await bodyOf(b.id, 'waitlisted'))!.body).toContain('urutan ke-1');
    expect((await bodyOf(c.id, 'waitlisted'))!.en).toContain('at position 2');

    await database.db.transaction((tx) => releasePlaceAndPromote(tx, quota!.id, new Date(daytime)));
    expect(await recipientsOf(b.id, 'promoted')).toContain('business');
    await withdrawWaitlisted(database.db, source, c.id, 'pindah kota');
    expect((await bodyOf(c.id, 'withdrawn'))!.body).toContain('Alasan: pindah kota');
  });
  it("records a step's timed notices in one read and one insert, with the rows recordNotice writes", async () => {
    const { ctx, enrolment, officer, manager } = await enrolledBusiness(database.db);
    const dueAt = daytime + 3 * 86_400_000;
    for (const step of [businessStep, officerStep]) {
      await database.db.insert(stepInstances).values({
        enrolmentId: enrolment.id,
        stepKey: step.key,
        visit: 1,
        status: 'open',
        openedAt: new Date(daytime),
        dueAt: new Date(dueAt),
      });
    }
    const rowsOf = async (occurrence: string) =>
      (
        await database.db
          .select()
          .from(notifications)
          .where(and(eq(notifications.enrolmentId, enrolment.id), like(notifications.dedupeKey, `%:${occurrence}:%`)))
      )
        .map(({ id: _id, createdAt: _at, dedupeKey, ...row }) => ({
          ...row,
          dedupeKey: dedupeKey.replace(`:${occurrence}:`, ':'),
        }))
        .sort((a, b) => a.dedupeKey.localeCompare(b.dedupeKey));
    // Every query of the app goes through postgres.js's unsafe(), Drizzle's and the prepared statements' alike.
    const client = database.sql;
    const unsafe = client.unsafe;
    const seen: { text: string; prepared: boolean }[] = [];
    const counting = ((text: string, parameters?: never[], options?: { prepare?: boolean }) => {
      seen.push({ text, prepared: options?.prepare === true });
      return unsafe.call(client, text, parameters, options);
    }) as typeof client.unsafe;
    for (const [i, step] of [businessStep, officerStep].entries()) {
      for (const kind of ['reminder', 'overdue', 'escalation'] as const) {
        const notice = { step, visit: 1, kind, occurrence: `step-${i}`, at: daytime + i };
        client.unsafe = counting;
        try {
          expect(await recordStepNotice(database.db, { enrolmentId: enrolment.id, ...notice })).toBe(true);
        } finally {
          client.unsafe = unsafe;
        }
        // A retried activity writes nothing new.
        await recordStepNotice(database.db, { enrolmentId: enrolment.id, ...notice });
        await recordNotice(database.db, ctx, { ...notice, occurrence: `full-${i}`, dueAt });
      }
    }
    // One read and one insert a notice, both prepared (the notification texts are cached for a few seconds).
    const work = seen.filter((s) => !/from "notification_texts"/.test(s.text));
    expect(work.map((s) => s.text.replace(/\s+/g, ' ').trim().split(' ').slice(0, 2).join(' '))).toEqual(
      Array.from({ length: 6 }, () => ['select e.id,', 'insert into']).flat(),
    );
    expect(work.every((s) => s.prepared)).toBe(true);

    const byStep = await rowsOf('step-0');
    expect(byStep.length).toBeGreaterThan(0);
    expect(byStep).toEqual(await rowsOf('full-0'));
    expect(await rowsOf('step-1')).toEqual(await rowsOf('full-1'));
    // The office's staff are read only for an audience beyond the business, and the deadline is the step's own.
    expect(byStep.filter((r) => r.kind === 'reminder').map((r) => r.recipientRole)).toEqual(['business']);
    expect((await rowsOf('step-1')).filter((r) => r.kind === 'escalation').map((r) => r.recipientUserId)).toContain(
      manager.id,
    );
    expect((await rowsOf('step-1')).filter((r) => r.kind === 'reminder').map((r) => r.recipientUserId)).toEqual([
      officer.id,
    ]);
    expect(byStep.find((r) => r.kind === 'overdue')!.bodyEn).toContain('Sunday 13 December 2026');

    expect(
      await recordStepNotice(database.db, {
        enrolmentId: randomUUID(),
        step: businessStep,
        visit: 1,
        kind: 'reminder',
        occurrence: '0',
        at: daytime,
      }),
    ).toBe(false);
  });
});
