// The officers' daily digest and the managers' weekly summary, against the real database with an injected instant.
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolments, notifications, stepInstances } from '../../db/schema.js';
import { officerDigestItems, runSummaries } from '../../services/notifications/digest.js';
import { recordNotice } from '../../services/notifications/record.js';
import { createActiveEnrolment, createBusiness } from '../helpers/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { businessStep, enrolledBusiness, halal, officerStep } from './support.js';

/** An instant in WITA (UTC+8) on a day of December 2026. */
const wita = (day: number, hour: number, minute = 0) => Date.UTC(2026, 11, day, hour - 8, minute);

describe('daily digest and weekly summary', () => {
  let database: TestDatabase;
  let a: Awaited<ReturnType<typeof enrolledBusiness>>;
  let b: Awaited<ReturnType<typeof enrolledBusiness>>;
  const names: Record<string, string> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database;
    a = await enrolledBusiness(db);
    b = await enrolledBusiness(db);
    const open = async (
      owner: typeof a,
      label: string,
      step: typeof businessStep,
      dueAt: number,
      status: 'open' | 'paused' = 'open',
    ) => {
      const business = await createBusiness(db, owner.office.id, { name: `IKM ${label}` });
      const enrolment = await createActiveEnrolment(db, halal, business.id, owner.office.id);
      await db.update(enrolments).set({ assigneeUserId: owner.officer.id }).where(eq(enrolments.id, enrolment.id));
      await db.insert(stepInstances).values({
        enrolmentId: enrolment.id,
        stepKey: step.key,
        status,
        openedAt: new Date(wita(1, 9)),
        dueAt: new Date(dueAt),
      });
      names[label] = business.name;
      return { enrolment, business };
    };
    await open(a, 'due-tomorrow', businessStep, wita(11, 16));
    const late = await open(a, 'escalated', officerStep, wita(8, 16));
    await open(a, 'overdue', businessStep, wita(9, 16));
    await open(a, 'next-week', officerStep, wita(17, 16));
    await open(a, 'paused', officerStep, wita(9, 16), 'paused');
    await open(b, 'colleague', businessStep, wita(9, 16));
    await recordNotice(
      db,
      {
        enrolment: late.enrolment,
        businessName: late.business.name,
        zone: 'Asia/Makassar',
        programmeNameId: halal.name.id,
        programmeNameEn: halal.name.en,
      },
      { kind: 'escalation', step: officerStep, visit: 1, occurrence: '0', at: wita(9, 9), dueAt: wita(8, 16) },
    );
  });
  afterAll(() => database.drop());

  it("lists exactly the officer's own steps due by tomorrow, overdue, and escalated", async () => {
    const items = await officerDigestItems(database.db, a.officer.id, wita(10, 7, 30));
    expect(items.map((i) => [i.businessName, i.state])).toEqual([
      [names.escalated, 'escalated'],
      [names.overdue, 'overdue'],
      [names['due-tomorrow'], 'due'],
    ]);
    const theirs = await officerDigestItems(database.db, b.officer.id, wita(10, 7, 30));
    expect(theirs.map((i) => i.businessName)).toEqual([names.colleague]);
  });

  it('writes one digest per officer each working morning, and a summary to managers on Mondays', async () => {
    const digests = () =>
      database.db
        .select()
        .from(notifications)
        .where(eq(notifications.kind, 'daily_digest'))
        .orderBy(notifications.dedupeKey);
    expect(await runSummaries(database.db, wita(10, 6, 59))).toBe(0);
    expect(await runSummaries(database.db, wita(10, 7, 30))).toBe(2);
    expect(await runSummaries(database.db, wita(10, 8, 31))).toBe(0);
    const [mine] = (await digests()).filter((d) => d.recipientUserId === a.officer.id);
    expect(mine!.titleId).toBe('Ringkasan harian Kamis, 10 Desember 2026');
    expect(mine!.bodyId).toContain('3 langkah perlu perhatian Anda');
    expect(mine!.bodyId).toContain(`• ${names.escalated} — ${halal.name.id}: ${officerStep.name.id} — dieskalasi`);
    expect(mine!.bodyEn).not.toContain(names.colleague!);
    expect(mine!.bodyEn).not.toContain(names['next-week']!);

    // Christmas (a national holiday) and Saturday send nothing; Monday morning brings the managers' summary.
    expect(await runSummaries(database.db, wita(25, 7, 30))).toBe(0);
    expect(await runSummaries(database.db, wita(12, 7, 30))).toBe(0);
    expect(await runSummaries(database.db, wita(14, 7, 30))).toBe(4);
    const [summary] = await database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.kind, 'weekly_summary'), like(notifications.dedupeKey, `summary:${a.manager.id}:%`)));
    expect(summary!.dedupeKey).toBe(`summary:${a.manager.id}:2026-W51`);
    expect(summary!.bodyId).toContain('• Langkah terlambat: 4');
    expect(summary!.bodyEn).toContain('• Escalations in the last 7 days: 1');
  });
});
