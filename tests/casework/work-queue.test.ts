// The office's work queue against a real database: which open steps wait for the office (every actor but the
// business, and only open ones of this office), in due order with nulls last, the counts on top, the filters (who
// handles the case and the deadline among them) and the pages. Step rows are written straight, as seeds and generators write them: the table's trigger fills in the office
// and whether it acts, which the queue's index reads.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohorts, enrolments, offices, programmes, stepInstances, users } from '../../db/schema.js';
import type { Principal } from '../../services/principal.js';
import { queuePageSize, workQueue } from '../../services/work-queue.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import {
  bilingual as name,
  createActiveEnrolment,
  createBusiness,
  createUser,
  testTemplate,
} from '../helpers/fixtures.js';

function template(key: string) {
  return testTemplate({
    key,
    version: 1,
    name: name(`Program ${key}`),
    description: name('Template uji'),
    firstStep: 'dokumen',
    steps: [
      {
        key: 'dokumen',
        name: name('Dokumen'),
        actor: 'business',
        scope: 'business',
        due: { kind: 'working_days', days: 10 },
        outcomes: [{ key: 'ok', name: name('Ok'), next: 'telaah' }],
      },
      {
        key: 'telaah',
        name: name('Telaah'),
        actor: 'officer',
        scope: 'business',
        due: { kind: 'working_days', days: 10 },
        outcomes: [{ key: 'ok', name: name('Ok'), next: 'audit' }],
      },
      {
        key: 'audit',
        name: name('Audit LPH'),
        actor: 'lph',
        scope: 'business',
        due: { kind: 'working_days', days: 15 },
        outcomes: [{ key: 'ok', name: name('Ok'), next: null, terminal: 'completed' }],
      },
    ],
  });
}

describe('work queue', () => {
  let database: TestDatabase;
  let officeId: string;
  let principal: Principal;
  const halal = template('uji-antrean-halal');
  const mentoring = template('uji-antrean-mentoring');
  // 10:00 WITA on Thursday 10 December 2026.
  const now = Date.UTC(2026, 11, 10, 2, 0);
  const day = 86_400_000;
  const names: Record<string, string> = {};
  const enrolmentIds: Record<string, string> = {};

  async function step(
    label: string,
    opts: {
      office?: string;
      programme?: typeof halal;
      stepKey?: string;
      status?: 'open' | 'paused' | 'cancelled';
      dueAt?: number | null;
      regionCode?: string;
      cohortId?: string | null;
    },
  ) {
    const office = opts.office ?? officeId;
    const business = await createBusiness(database.db, office, {
      name: `IKM ${label}`,
      regionCode: opts.regionCode ?? '6371',
    });
    const enrolment = await createActiveEnrolment(
      database.db,
      opts.programme ?? halal,
      business.id,
      office,
      opts.cohortId ?? null,
    );
    const [row] = await database.db
      .insert(stepInstances)
      .values({
        enrolmentId: enrolment.id,
        stepKey: opts.stepKey ?? 'telaah',
        status: opts.status ?? 'open',
        openedAt: new Date(now - 20 * day),
        dueAt: opts.dueAt === null ? null : new Date(opts.dueAt ?? now + 30 * day),
      })
      .returning();
    names[label] = business.name;
    enrolmentIds[label] = enrolment.id;
    return row!;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const [office] = await database.db
      .insert(offices)
      .values({ name: 'Disperin uji antrean', level: 'kota', regionCode: '6371', timeZone: 'Asia/Makassar' })
      .returning();
    officeId = office!.id;
    const [other] = await database.db
      .insert(offices)
      .values({ name: 'Disperin lain', level: 'kota', regionCode: '6372', timeZone: 'Asia/Makassar' })
      .returning();
    const officer = await createUser(database.db, 'officer', officeId);
    principal = { userId: officer.id, role: 'officer', officeId, businessId: null };
    await database.db.insert(programmes).values({ key: halal.key, nameId: halal.name.id, nameEn: halal.name.en });
    const [cohort] = await database.db
      .insert(cohorts)
      .values({ officeId, programmeKey: halal.key, year: 2026, name: 'Kelompok A' })
      .returning();

    await step('overdue', { dueAt: now - 2 * day, cohortId: cohort!.id });
    await step('soon', { dueAt: now + day, programme: mentoring });
    await step('later', { dueAt: now + 30 * day, stepKey: 'audit', regionCode: '6372' });
    await step('no-deadline', { dueAt: null });
    // Not the office's: the business's own step, a paused or cancelled one, another office's.
    await step('business-step', { stepKey: 'dokumen', dueAt: now - 5 * day });
    await step('paused', { status: 'paused', dueAt: now - 5 * day });
    await step('cancelled', { status: 'cancelled', dueAt: now - 5 * day });
    await step('elsewhere', { office: other!.id, dueAt: now - 5 * day });
  });
  afterAll(() => database.drop());

  it("fills in a written step's office and whether the office acts on it", async () => {
    const rows = await database.db
      .select({ officeId: stepInstances.officeId, acts: stepInstances.officeActs, key: stepInstances.stepKey })
      .from(stepInstances);
    expect(rows.every((r) => r.officeId !== null)).toBe(true);
    expect(rows.map((r) => `${r.key}:${r.acts}`).sort()).toEqual(
      ['dokumen:false', ...Array(6).fill('telaah:true'), 'audit:true'].sort(),
    );
  });

  it('lists the open steps waiting for this office, overdue first and no deadline last, with the counts', async () => {
    const queue = await workQueue(database.db, principal, { page: 1 }, now);
    expect(queue.items.map((i) => [i.businessName, i.urgency])).toEqual([
      [names.overdue, 'overdue'],
      [names.soon, 'soon'],
      [names.later, 'later'],
      [names['no-deadline'], 'none'],
    ]);
    expect(queue.counts).toEqual({ open: 4, overdue: 1, dueSoon: 1 });
    expect(queue.items[2]).toMatchObject({ stepKey: 'audit', actor: 'lph', stepName: { id: 'Audit LPH' } });
  });

  it('filters by programme, cohort, step and region, counting what the filter keeps', async () => {
    const only = async (filter: Parameters<typeof workQueue>[2]) => {
      const q = await workQueue(database.db, principal, filter, now);
      return { names: q.items.map((i) => i.businessName), open: q.counts.open };
    };
    expect(await only({ page: 1, programmeKey: mentoring.key })).toEqual({ names: [names.soon], open: 1 });
    const [cohort] = await database.db.select().from(cohorts).where(eq(cohorts.officeId, officeId));
    expect(await only({ page: 1, cohortId: cohort!.id })).toEqual({ names: [names.overdue], open: 1 });
    expect(await only({ page: 1, stepKey: 'audit' })).toEqual({ names: [names.later], open: 1 });
    expect(await only({ page: 1, regionCode: '6372' })).toEqual({ names: [names.later], open: 1 });
    expect(await only({ page: 1, regionCode: '6372', programmeKey: mentoring.key })).toEqual({ names: [], open: 0 });
  });

  it('lists only the overdue or only the due-soon steps, keeping the counts of the whole queue', async () => {
    const overdue = await workQueue(database.db, principal, { page: 1, due: 'overdue' }, now);
    expect(overdue.items.map((i) => i.businessName)).toEqual([names.overdue]);
    expect(overdue.counts).toEqual({ open: 4, overdue: 1, dueSoon: 1 });
    const soon = await workQueue(database.db, principal, { page: 1, due: 'soon', programmeKey: mentoring.key }, now);
    expect(soon.items.map((i) => [i.businessName, i.urgency])).toEqual([[names.soon, 'soon']]);
    const none = await workQueue(database.db, principal, { page: 1, due: 'soon', programmeKey: halal.key }, now);
    expect([none.items, none.pageCount]).toEqual([[], 1]);
  });

  it('filters by who handles the case (mine, unassigned, one officer) and names the officer on each row', async () => {
    const colleague = await createUser(database.db, 'officer', officeId);
    await database.db.update(users).set({ name: 'Rina' }).where(eq(users.id, colleague.id));
    await database.db
      .update(enrolments)
      .set({ assigneeUserId: principal.userId })
      .where(eq(enrolments.id, enrolmentIds.overdue!));
    await database.db
      .update(enrolments)
      .set({ assigneeUserId: colleague.id })
      .where(eq(enrolments.id, enrolmentIds.soon!));
    const only = async (assignee: string) => {
      const q = await workQueue(database.db, principal, { page: 1, assignee }, now);
      return { names: q.items.map((i) => i.businessName), open: q.counts.open, overdue: q.counts.overdue };
    };
    expect(await only('me')).toEqual({ names: [names.overdue], open: 1, overdue: 1 });
    expect(await only(colleague.id)).toEqual({ names: [names.soon], open: 1, overdue: 0 });
    expect(await only('none')).toEqual({ names: [names.later, names['no-deadline']], open: 2, overdue: 0 });
    // With another filter, both narrow.
    const both = await workQueue(database.db, principal, { page: 1, assignee: 'me', programmeKey: mentoring.key }, now);
    expect(both.items).toEqual([]);

    const all = await workQueue(database.db, principal, { page: 1 }, now);
    expect(all.items.map((i) => i.assignee?.name ?? null)).toEqual(['Test officer', 'Rina', null, null]);
    expect(all.options.staff.map((u) => u.name).sort()).toEqual(['Rina', 'Test officer']);
    // "Mine" for a reader with no user id (a service token) is nobody's cases, not everyone's.
    const service = await workQueue(database.db, { ...principal, userId: null }, { page: 1, assignee: 'me' }, now);
    expect(service.counts.open).toBe(0);
  });

  it('pages in due order without repeating or skipping a step', async () => {
    for (let i = 0; i < queuePageSize; i++) await step(`bulk-${i}`, { dueAt: now + (3 + (i % 7)) * day });
    const first = await workQueue(database.db, principal, { page: 1 }, now);
    const second = await workQueue(database.db, principal, { page: 2 }, now);
    expect(first.pageCount).toBe(2);
    expect(first.items).toHaveLength(queuePageSize);
    const all = [...first.items, ...second.items];
    expect(new Set(all.map((i) => i.stepInstanceId)).size).toBe(queuePageSize + 4);
    const due = all.map((i) => i.dueAt?.getTime() ?? Infinity);
    expect(due).toEqual([...due].sort((a, b) => a - b));
    expect(all.at(-1)!.businessName).toBe(names['no-deadline']);
    // A page past the end (an old bookmark) shows the last one.
    const beyond = await workQueue(database.db, principal, { page: 99 }, now);
    expect(beyond.page).toBe(2);
    expect(beyond.items.map((i) => i.stepInstanceId)).toEqual(second.items.map((i) => i.stepInstanceId));
  });

  it("offers the choices of the office's filters", async () => {
    const { options, zone } = await workQueue(database.db, principal, { page: 1 }, now);
    expect(zone).toBe('Asia/Makassar');
    expect(options.cohorts.map((c) => c.name)).toEqual(['Kelompok A']);
    expect(options.programmes.map((p) => p.key)).toEqual(expect.arrayContaining([halal.key, mentoring.key]));
    expect(options.steps.map((s) => s.key).sort()).toEqual(expect.arrayContaining(['audit', 'telaah']));
    expect(options.steps.map((s) => s.key)).not.toContain('dokumen');
    expect(options.regions).toEqual([{ code: '6371', name: expect.any(String) }]);
  });
});
