// Who handles each case and what is said about it, through the API on a real database: assigning a case and a cohort
// (audited), handing one person's cases to another, the work queue's filters, each officer's load, the notes thread
// and its notices, and where these actions meet each other. Nothing here needs a workflow: assignment and notes live in the database alone.
import { and, asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import {
  auditLog,
  caseNotes,
  cohorts,
  enrolments,
  notifications,
  offices,
  stepInstances,
  users,
} from '../../db/schema.js';
import { businessProgress } from '../../services/business-progress.js';
import { buildTestApp } from '../helpers/app.js';
import { createTestDatabase, rowCounts, type TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createToken, createUser } from '../helpers/fixtures.js';
import { caseworkTemplate } from './support.js';

const template = caseworkTemplate('uji-penugasan');
type Auth = { authorization: string };

describe('assignment and notes', () => {
  let database: TestDatabase;
  let app: App;
  let kaltimId: string;
  const bearer = async (userId: string): Promise<Auth> => ({
    authorization: `Bearer ${await createToken(database.db, userId)}`,
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    // Assignment, notes and the load read and write the database only: no Temporal client is ever asked.
    app = await buildTestApp({ database, temporal: null as never });
    const [kaltim] = await database.db.select().from(offices).where(eq(offices.regionCode, '64'));
    kaltimId = kaltim!.id;
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  /** An office of its own (a fresh manager and officers in Kalsel would share its load): a new office row. */
  async function newOffice() {
    const [office] = await database.db
      .insert(offices)
      .values({ name: `Disperin uji ${Math.random()}`, level: 'kota', regionCode: '6371', timeZone: 'Asia/Makassar' })
      .returning();
    return office!.id;
  }

  async function newCase(office: string, cohortId: string | null = null) {
    const business = await createBusiness(database.db, office);
    const enrolment = await createActiveEnrolment(database.db, template, business.id, office, cohortId);
    const businessUser = await createUser(database.db, 'business', office, business.id);
    return { enrolment, business, auth: await bearer(businessUser.id) };
  }

  /** The projection of an open step, due at the given instant (past: overdue). */
  const openStep = (enrolmentId: string, dueAt: Date) =>
    database.db
      .insert(stepInstances)
      .values({ enrolmentId, stepKey: 'documents', status: 'open', openedAt: new Date(0), dueAt });

  const assign = (auth: Auth, enrolmentId: string, userId: string | null) =>
    app.inject({
      method: 'PUT',
      url: `/api/v1/enrolments/${enrolmentId}/assignee`,
      headers: auth,
      payload: { userId },
    });
  const queue = async (auth: Auth, assignee: string) => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/enrolments?assignee=${assignee}&limit=100`,
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    return (res.json().items as { id: string; assigneeUserId: string | null }[]).map((i) => i.id).sort();
  };
  const assignAudit = (enrolmentId: string) =>
    database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'enrolment.assign'), eq(auditLog.entityId, enrolmentId)))
      .orderBy(asc(auditLog.id));

  type Assigned = { assigneeUserId: string | null };
  /** Each assignment's "before" is the one before it's "after", and the last "after" is where the case is. */
  const expectChainedTo = async (enrolmentId: string, assignee: string | null) => {
    const trail = await assignAudit(enrolmentId);
    for (let i = 1; i < trail.length; i++) {
      expect((trail[i]!.before as Assigned).assigneeUserId).toBe((trail[i - 1]!.after as Assigned).assigneeUserId);
    }
    expect((trail.at(-1)!.after as Assigned).assigneeUserId).toBe(assignee);
  };

  it('assigns a case, audits it, and filters the work queue by mine, unassigned and officer', async () => {
    const office = await newOffice();
    const [ani, budi] = [
      await createUser(database.db, 'officer', office),
      await createUser(database.db, 'officer', office),
    ];
    const [aniAuth, budiAuth] = [await bearer(ani!.id), await bearer(budi!.id)];
    const [one, two, three] = [await newCase(office), await newCase(office), await newCase(office)];

    const res = await assign(budiAuth, one.enrolment.id, ani!.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ enrolmentId: one.enrolment.id, assigneeUserId: ani!.id });
    expect((await assign(aniAuth, two.enrolment.id, budi!.id)).statusCode).toBe(200);
    expect(await assignAudit(one.enrolment.id)).toMatchObject([
      { actorUserId: budi!.id, before: { assigneeUserId: null }, after: { assigneeUserId: ani!.id } },
    ]);

    expect(await queue(aniAuth, 'me')).toEqual([one.enrolment.id]);
    expect(await queue(budiAuth, 'me')).toEqual([two.enrolment.id]);
    expect(await queue(aniAuth, budi!.id)).toEqual([two.enrolment.id]);
    expect(await queue(aniAuth, 'none')).toEqual([three.enrolment.id]);
    const detail = await app.inject({ method: 'GET', url: `/api/v1/enrolments?assignee=me`, headers: aniAuth });
    expect(detail.json().items[0].assigneeUserId).toBe(ani!.id);

    // Unassigning is a change like any other.
    expect((await assign(aniAuth, one.enrolment.id, null)).json().assigneeUserId).toBeNull();
    expect(await queue(aniAuth, 'none')).toEqual([one.enrolment.id, three.enrolment.id].sort());
    expect(await assignAudit(one.enrolment.id)).toHaveLength(2);
  });

  it("names the case's assignee as the business's contact, and the enroller while nobody handles it", async () => {
    const office = await newOffice();
    const enroller = await createUser(database.db, 'officer', office);
    const handler = await createUser(database.db, 'officer', office);
    await database.db.update(users).set({ name: 'Ibu Sari' }).where(eq(users.id, handler.id));
    const { enrolment, business } = await newCase(office);
    await database.db.update(enrolments).set({ enrolledBy: enroller.id }).where(eq(enrolments.id, enrolment.id));
    const principal = { userId: null, role: 'business' as const, officeId: office, businessId: business.id };

    expect((await businessProgress(database.db, principal)).contact?.name).toBe(enroller.name);
    expect((await assign(await bearer(enroller.id), enrolment.id, handler.id)).statusCode).toBe(200);
    expect((await businessProgress(database.db, principal)).contact?.name).toBe('Ibu Sari');
  });

  it('refuses an assignee outside the office (400 naming the field), a case of another office (404), a business (403), writing nothing', async () => {
    const office = await newOffice();
    const officer = await bearer((await createUser(database.db, 'officer', office)).id);
    const { enrolment, auth } = await newCase(office);
    const stranger = await createUser(database.db, 'officer', kaltimId);
    const businessUser = await createUser(database.db, 'business', office, enrolment.businessId);
    const before = await rowCounts(database);

    const outsider = await assign(officer, enrolment.id, stranger.id);
    expect(outsider.statusCode).toBe(400);
    expect(outsider.json().errors).toEqual([expect.objectContaining({ path: 'body.userId' })]);
    expect((await assign(officer, enrolment.id, businessUser.id)).statusCode).toBe(400);
    expect((await assign(await bearer(stranger.id), enrolment.id, stranger.id)).statusCode).toBe(404);
    expect((await assign(auth, enrolment.id, null)).statusCode).toBe(403);
    const badBody = await app.inject({
      method: 'PUT',
      url: `/api/v1/enrolments/${enrolment.id}/assignee`,
      headers: officer,
      payload: { userId: 'ani' },
    });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json().errors[0].path).toBe('body.userId');
    // The bearer tokens made above are the only new rows.
    const after = await rowCounts(database);
    expect({ ...after, api_tokens: 0, users: 0 }).toEqual({ ...before, api_tokens: 0, users: 0 });
  });

  it('assigns a whole cohort in one action and shows each officer’s load, overdue steps apart', async () => {
    const office = await newOffice();
    const manager = await bearer((await createUser(database.db, 'manager', office)).id);
    const [ani, budi] = [
      await createUser(database.db, 'officer', office),
      await createUser(database.db, 'officer', office),
    ];
    const [cohort] = await database.db
      .insert(cohorts)
      .values({ officeId: office, programmeKey: template.key, year: 2026, name: 'Kelompok Kuin' })
      .returning();
    const members = [
      await newCase(office, cohort!.id),
      await newCase(office, cohort!.id),
      await newCase(office, cohort!.id),
    ];
    const loner = await newCase(office);
    const past = new Date(Date.now() - 86_400_000);
    const future = new Date(Date.now() + 10 * 86_400_000);
    await openStep(members[0]!.enrolment.id, past);
    await openStep(members[1]!.enrolment.id, future);
    await openStep(members[2]!.enrolment.id, future);
    await openStep(loner.enrolment.id, past);

    const res = await app.inject({
      method: 'PUT',
      url: `/api/v1/cohorts/${cohort!.id}/assignee`,
      headers: manager,
      payload: { userId: ani.id },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().enrolmentIds.sort()).toEqual(members.map((m) => m.enrolment.id).sort());
    const rows = await database.db
      .select({ assignee: enrolments.assigneeUserId })
      .from(enrolments)
      .where(inArray(enrolments.id, res.json().enrolmentIds));
    expect(rows.every((r) => r.assignee === ani.id)).toBe(true);
    for (const m of members) expect(await assignAudit(m.enrolment.id)).toHaveLength(1);

    const load = await app.inject({ method: 'GET', url: '/api/v1/workload', headers: manager });
    expect(load.statusCode).toBe(200);
    const byUser = new Map(load.json().items.map((i: { userId: string | null }) => [i.userId, i]));
    expect(byUser.get(ani.id)).toMatchObject({ openSteps: 3, overdue: 1 });
    expect(byUser.get(budi.id)).toMatchObject({ openSteps: 0, overdue: 0 });
    expect(byUser.get(null)).toMatchObject({ openSteps: 1, overdue: 1 });
    const asOfficer = await app.inject({ method: 'GET', url: '/api/v1/workload', headers: await bearer(budi.id) });
    expect(asOfficer.statusCode).toBe(403);
    const otherOffice = await app.inject({
      method: 'GET',
      url: `/api/v1/workload?officeId=${kaltimId}`,
      headers: manager,
    });
    expect(otherOffice.statusCode).toBe(404);
  });

  it('applies two reassignments at once one after the other: the audit trail chains and ends at the final assignee', async () => {
    const office = await newOffice();
    const [ani, budi, citra] = [
      await createUser(database.db, 'officer', office),
      await createUser(database.db, 'officer', office),
      await createUser(database.db, 'officer', office),
    ];
    const auth = await bearer(citra.id);
    const [cohort] = await database.db
      .insert(cohorts)
      .values({ officeId: office, programmeKey: template.key, year: 2026, name: 'Kelompok Pelambuan' })
      .returning();
    const { enrolment } = await newCase(office, cohort!.id);
    const answers = await Promise.all([
      assign(auth, enrolment.id, ani.id),
      assign(auth, enrolment.id, budi.id),
      app.inject({
        method: 'PUT',
        url: `/api/v1/cohorts/${cohort!.id}/assignee`,
        headers: auth,
        payload: { userId: citra.id },
      }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    const trail = await assignAudit(enrolment.id);
    expect(trail).toHaveLength(3);
    expect(trail[0]!.before).toEqual({ assigneeUserId: null });
    const [row] = await database.db.select().from(enrolments).where(eq(enrolments.id, enrolment.id));
    await expectChainedTo(enrolment.id, row!.assigneeUserId);
  });

  /** Each case's assignee now, by enrolment id. */
  const assigneesOf = async (cases: { enrolment: { id: string } }[]) => {
    const rows = await database.db
      .select({ id: enrolments.id, assignee: enrolments.assigneeUserId })
      .from(enrolments)
      .where(
        inArray(
          enrolments.id,
          cases.map((c) => c.enrolment.id),
        ),
      );
    return new Map(rows.map((r) => [r.id, r.assignee]));
  };
  const handOver = (auth: Auth, fromUserId: string, userId: string | null) =>
    app.inject({
      method: 'PUT',
      url: `/api/v1/users/${fromUserId}/cases/assignee`,
      headers: auth,
      payload: { userId },
    });

  it('hands every running case of one who left to another in one action, finished ones staying, and refuses what it must with nothing written', async () => {
    const office = await newOffice();
    const manager = await bearer((await createUser(database.db, 'manager', office)).id);
    const [ani, budi] = [
      await createUser(database.db, 'officer', office),
      await createUser(database.db, 'officer', office),
    ];
    const cases = [await newCase(office), await newCase(office), await newCase(office), await newCase(office)];
    for (const c of cases.slice(0, 3)) expect((await assign(manager, c.enrolment.id, ani.id)).statusCode).toBe(200);
    expect((await assign(manager, cases[3]!.enrolment.id, budi.id)).statusCode).toBe(200);
    await database.db.update(enrolments).set({ status: 'completed' }).where(eq(enrolments.id, cases[2]!.enrolment.id));
    await database.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, ani.id));

    const elsewhere = await createUser(database.db, 'officer', kaltimId);
    const asOfficer = await bearer(budi.id);
    const counted = await rowCounts(database);
    expect((await handOver(asOfficer, ani.id, budi.id)).statusCode).toBe(403);
    const refusedTo = await handOver(manager, ani.id, elsewhere.id);
    expect(refusedTo.statusCode).toBe(400);
    expect(refusedTo.json().errors[0].path).toBe('body.userId');
    expect((await handOver(manager, ani.id, ani.id)).statusCode).toBe(400);
    expect((await handOver(manager, elsewhere.id, budi.id)).statusCode).toBe(404);
    expect(await rowCounts(database)).toEqual(counted);

    const res = await handOver(manager, ani.id, budi.id);
    expect(res.statusCode).toBe(200);
    expect(res.json().enrolmentIds.sort()).toEqual([cases[0]!.enrolment.id, cases[1]!.enrolment.id].sort());
    const of = await assigneesOf(cases);
    expect(cases.map((c) => of.get(c.enrolment.id))).toEqual([budi.id, budi.id, ani.id, budi.id]);
    expect((await assignAudit(cases[0]!.enrolment.id)).at(-1)).toMatchObject({
      before: { assigneeUserId: ani.id },
      after: { assigneeUserId: budi.id, handedOverFrom: ani.id },
    });
    // Sent again, it finds nothing left to hand over.
    expect((await handOver(manager, ani.id, budi.id)).json().enrolmentIds).toEqual([]);
  });

  it('meets a single reassignment and a disabling of the one taking over, each outcome whole', async () => {
    for (let round = 0; round < 4; round++) {
      const office = await newOffice();
      const manager = await bearer((await createUser(database.db, 'manager', office)).id);
      const [ani, budi, citra] = [
        await createUser(database.db, 'officer', office),
        await createUser(database.db, 'officer', office),
        await createUser(database.db, 'officer', office),
      ];
      const cases = [await newCase(office), await newCase(office)];
      for (const c of cases) expect((await assign(manager, c.enrolment.id, ani.id)).statusCode).toBe(200);
      const [handed, single, disabled] = await Promise.all([
        handOver(manager, ani.id, budi.id),
        assign(manager, cases[0]!.enrolment.id, citra.id),
        app.inject({ method: 'POST', url: `/api/v1/users/${budi.id}/disable`, headers: manager }),
      ]);
      expect(single.statusCode).toBe(200);
      expect(disabled.statusCode).toBe(200);
      // Either the hand-over came before the disabling and took every case still with ani, or it was refused whole.
      expect([200, 400]).toContain(handed.statusCode);
      const of = await assigneesOf(cases);
      if (handed.statusCode === 400) expect(of.get(cases[1]!.enrolment.id)).toBe(ani.id);
      else {
        expect(of.get(cases[1]!.enrolment.id)).toBe(budi.id);
        // Budi was still active when the cases were given: the disabling was written after the hand-over's rows.
        const [disabling] = await database.db
          .select({ id: auditLog.id })
          .from(auditLog)
          .where(and(eq(auditLog.action, 'user.disable'), eq(auditLog.entityId, budi.id)));
        const given = (await assignAudit(cases[1]!.enrolment.id)).at(-1)!;
        expect(disabling!.id).toBeGreaterThan(given.id);
      }
      // Each case's audit trail chains and ends where the case is.
      for (const c of cases) await expectChainedTo(c.enrolment.id, of.get(c.enrolment.id)!);
    }
  });

  it('keeps a notes thread: internal for staff, shared with the business, each side told of the other’s shared note', async () => {
    const office = await newOffice();
    const officer = await createUser(database.db, 'officer', office);
    const officerAuth = await bearer(officer.id);
    const { enrolment, auth } = await newCase(office);
    const note = (who: Auth, payload: object) =>
      app.inject({ method: 'POST', url: `/api/v1/enrolments/${enrolment.id}/notes`, headers: who, payload });
    const thread = async (who: Auth) =>
      (await app.inject({ method: 'GET', url: `/api/v1/enrolments/${enrolment.id}/notes`, headers: who })).json()
        .items as {
        body: string;
        visibility: string;
        authorRole: string;
      }[];

    const internal = await note(officerAuth, { body: 'Pemilik sulit dihubungi pagi hari', visibility: 'internal' });
    expect(internal.statusCode).toBe(201);
    expect(internal.json()).toMatchObject({
      authorUserId: officer.id,
      authorName: 'Test officer',
      visibility: 'internal',
    });
    const before = await rowCounts(database);
    const refused = await note(auth, { body: 'Catatan rahasia', visibility: 'internal' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual([expect.objectContaining({ path: 'body.visibility' })]);
    expect(await rowCounts(database)).toEqual(before);

    expect((await note(auth, { body: 'Manual SJPH sudah kami perbaiki', visibility: 'shared' })).statusCode).toBe(201);
    expect(
      (await note(officerAuth, { body: 'Terima kasih, kami periksa besok', visibility: 'shared' })).statusCode,
    ).toBe(201);

    expect((await thread(auth)).map((n) => n.body)).toEqual([
      'Manual SJPH sudah kami perbaiki',
      'Terima kasih, kami periksa besok',
    ]);
    expect((await thread(officerAuth)).map((n) => n.visibility)).toEqual(['internal', 'shared', 'shared']);
    const told = await database.db
      .select({ role: notifications.recipientRole, body: notifications.bodyId })
      .from(notifications)
      .where(and(eq(notifications.enrolmentId, enrolment.id), eq(notifications.kind, 'note_shared')));
    expect(told.map((t) => t.role).sort()).toEqual(['business', 'officer']);
    expect(told.find((t) => t.role === 'officer')!.body).toContain('Manual SJPH sudah kami perbaiki');

    // Never edited away, not even by a direct statement.
    const appendOnly = { cause: expect.objectContaining({ message: expect.stringMatching(/append-only/) }) };
    await expect(database.db.update(caseNotes).set({ body: 'diubah' })).rejects.toMatchObject(appendOnly);
    await expect(database.db.delete(caseNotes)).rejects.toMatchObject(appendOnly);

    const stranger = await newCase(office);
    const peek = await app.inject({
      method: 'GET',
      url: `/api/v1/enrolments/${enrolment.id}/notes`,
      headers: stranger.auth,
    });
    expect(peek.statusCode).toBe(404);
  });

  it('keeps both of two notes written at once, each once, in the order they committed', async () => {
    const office = await newOffice();
    const officerAuth = await bearer((await createUser(database.db, 'officer', office)).id);
    const { enrolment, auth } = await newCase(office);
    const post = (who: Auth, body: string) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/enrolments/${enrolment.id}/notes`,
        headers: who,
        payload: { body, visibility: 'shared' },
      });
    const answers = await Promise.all([post(auth, 'dari usaha'), post(officerAuth, 'dari kantor')]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201]);
    const rows = await database.db.select().from(caseNotes).where(eq(caseNotes.enrolmentId, enrolment.id));
    expect(rows.map((r) => r.body).sort()).toEqual(['dari kantor', 'dari usaha']);
    const notices = await database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.enrolmentId, enrolment.id), eq(notifications.kind, 'note_shared')));
    expect(notices).toHaveLength(2);
  });
});
