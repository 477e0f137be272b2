// Visits through the API on a real database and a real document folder: office scope, closing once, attachments
// checked like case documents (nothing stored when refused), and follow-ups reminded, overdue and escalated on the
// office calendar's working days.
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { notifications, offices, visitAttachments, visitFollowUps } from '../../db/schema.js';
import type { DocumentStore } from '../../services/documents/store.js';
import { addFollowUp, completeFollowUp, scanFollowUps } from '../../services/visits/follow-ups.js';
import { remindVisitTeam } from '../../services/visits/occurrences.js';
import type { TestDatabase } from '../helpers/db.js';
import { createBusiness, createToken, createUser, kalselOffice } from '../helpers/fixtures.js';
import { apiCaller, startTestStack, type ApiCall, type TestStack } from '../helpers/stack.js';
import { multipart, sampleExecutable, samplePng, storedKeys } from '../casework/support.js';

describe('visits', () => {
  let database: TestDatabase;
  let stack: TestStack;
  let app: App;
  let store: DocumentStore;
  let officeId: string;
  let officer: { id: string };
  let colleague: { id: string };
  let manager: { id: string };
  let token: string;
  let call: ApiCall;
  let outsiderToken: string;

  beforeAll(async () => {
    stack = await startTestStack();
    ({ database, app, documentStore: store } = stack);
    officeId = (await kalselOffice(database.db)).id;
    officer = await createUser(database.db, 'officer', officeId);
    colleague = await createUser(database.db, 'officer', officeId);
    manager = await createUser(database.db, 'manager', officeId);
    token = await createToken(database.db, officer.id);
    call = apiCaller(app, token);
    const [other] = await database.db.select().from(offices).where(eq(offices.regionCode, '64'));
    outsiderToken = await createToken(database.db, (await createUser(database.db, 'officer', other!.id)).id);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function newVisit(extra: Record<string, unknown> = {}) {
    const res = await call('POST', '/api/v1/visits', {
      date: '2026-03-10',
      place: 'Sentra Amplang Kuin',
      teamUserIds: [officer.id, colleague.id],
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; team: { id: string }[]; businesses: { id: string }[] };
  }

  it('records a visit with its team and the businesses met; another office sees none of it', async () => {
    const business = await createBusiness(database.db, officeId);
    const visit = await newVisit({ businessIds: [business.id] });
    expect(visit.team.map((t) => t.id).sort()).toEqual([officer.id, colleague.id].sort());
    expect(visit.businesses.map((b) => b.id)).toEqual([business.id]);

    const month = await call('GET', '/api/v1/visits?month=2026-03');
    expect(month.json().items.map((v: { id: string }) => v.id)).toContain(visit.id);

    for (const [method, url, body] of [
      ['GET', `/api/v1/visits/${visit.id}`, undefined],
      ['PATCH', `/api/v1/visits/${visit.id}`, { findings: 'x' }],
      ['POST', `/api/v1/visits/${visit.id}/close`, { findings: 'x' }],
      ['POST', `/api/v1/visits/${visit.id}/follow-ups`, { action: 'Kirim formulir', dueDate: '2027-01-10' }],
    ] as const) {
      const res = await call(method, url, body, outsiderToken);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const upload = multipart('foto.png', samplePng(), 'image/png');
    const refused = await app.inject({
      method: 'POST',
      url: `/api/v1/visits/${visit.id}/attachments`,
      headers: { authorization: `Bearer ${outsiderToken}`, ...upload.headers },
      payload: upload.payload,
    });
    expect(refused.statusCode).toBe(404);
    expect((await call('GET', '/api/v1/visits?month=2026-03', undefined, outsiderToken)).json().items).toEqual([]);
  });

  it('refuses a business of another office or an unknown team member, naming the field, writing nothing', async () => {
    const res = await call('POST', '/api/v1/visits', {
      date: '2026-03-10',
      place: 'Kuin',
      teamUserIds: [officer.id, '00000000-0000-4000-8000-000000000001'],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('body.teamUserIds');
    expect(
      (await call('GET', '/api/v1/visits?month=2026-03'))
        .json()
        .items.every((v: { place: string }) => v.place !== 'Kuin'),
    ).toBe(true);
  });

  it('closes once, with findings, by the acting officer: two officers at once get one 200 and one 409', async () => {
    const visit = await newVisit();
    const bare = await call('POST', `/api/v1/visits/${visit.id}/close`, {});
    expect(bare.statusCode).toBe(400);
    expect(bare.json().errors[0].path).toBe('body.findings');

    const colleagueToken = await createToken(database.db, colleague.id);
    const [a, b] = await Promise.all([
      call('POST', `/api/v1/visits/${visit.id}/close`, { findings: 'Produksi naik dua kali lipat' }),
      call('POST', `/api/v1/visits/${visit.id}/close`, { findings: 'Kemasan perlu diperbaiki' }, colleagueToken),
    ]);
    expect([a.statusCode, b.statusCode].sort(), a.body + b.body).toEqual([200, 409]);
    const closed = (a.statusCode === 200 ? a : b).json();
    expect(closed.status).toBe('closed');
    expect(closed.closedBy).toBe(a.statusCode === 200 ? officer.id : colleague.id);
    expect((await call('PATCH', `/api/v1/visits/${visit.id}`, { findings: 'later' })).statusCode).toBe(409);
  });

  it('stores a photo; a file of the wrong type or over 20 MB is refused and nothing is stored', async () => {
    const visit = await newVisit();
    const send = (fileName: string, data: Buffer, type: string) => {
      const body = multipart(fileName, data, type);
      return app.inject({
        method: 'POST',
        url: `/api/v1/visits/${visit.id}/attachments`,
        headers: { authorization: `Bearer ${token}`, ...body.headers },
        payload: body.payload,
      });
    };
    const photo = await send('foto-lokasi.png', samplePng(), 'image/png');
    expect(photo.statusCode, photo.body).toBe(201);
    expect(photo.json().contentType).toBe('image/png');
    const keysAfterPhoto = await storedKeys(store);

    const program = await send('foto.jpg', sampleExecutable(), 'image/jpeg');
    expect(program.statusCode).toBe(415);
    expect(program.json().detail).toContain('foto.jpg');
    const huge = await send('besar.png', Buffer.concat([samplePng(), Buffer.alloc(20 * 1024 * 1024)]), 'image/png');
    expect(huge.statusCode).toBe(413);

    expect(await storedKeys(store)).toEqual(keysAfterPhoto);
    const [rows] = await database.db
      .select({ n: count() })
      .from(visitAttachments)
      .where(eq(visitAttachments.visitId, visit.id));
    expect(rows!.n).toBe(1);

    const download = await call('GET', `/api/v1/visit-attachments/${photo.json().id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toContain('attachment');
    expect(download.rawPayload.equals(samplePng())).toBe(true);
    expect(
      (await call('GET', `/api/v1/visit-attachments/${photo.json().id}`, undefined, outsiderToken)).statusCode,
    ).toBe(404);
  });

  it('reminds the team the working day before a planned visit, once, and not for a cancelled one', async () => {
    const visit = await newVisit({ date: '2027-02-10' });
    const now = Date.parse('2027-02-09T00:00:00Z');
    expect(await remindVisitTeam(database.db, visit.id, now)).toBe(2);
    expect(await remindVisitTeam(database.db, visit.id, now)).toBe(0);
    const cancelled = await newVisit({ date: '2027-02-11' });
    expect((await call('POST', `/api/v1/visits/${cancelled.id}/cancel`)).statusCode).toBe(200);
    expect(await remindVisitTeam(database.db, cancelled.id, now)).toBe(0);
    const rows = await database.db
      .select({ userId: notifications.recipientUserId, kind: notifications.kind, title: notifications.titleId })
      .from(notifications)
      .where(eq(notifications.kind, 'visit_reminder'));
    expect(rows.map((r) => r.userId).sort()).toEqual([officer.id, colleague.id].sort());
    expect(rows[0]!.title).toContain('Sentra Amplang Kuin');
  });

  // March 2026: cuti bersama Nyepi 18, Nyepi 19, cuti bersama Idulfitri 20, Idulfitri 21–22, cuti bersama 23–24.
  it('moves a follow-up due on cuti bersama to a working day, and reminds, marks overdue and escalates it once each', async () => {
    const visit = await newVisit();
    const source = {
      requestId: 'follow-up-test',
      principal: { userId: officer.id, role: 'officer' as const, officeId, businessId: null },
    };
    const created = await addFollowUp(
      database.db,
      source,
      visit.id,
      { action: 'Bantu pengurusan NIB', dueDate: '2026-03-20', assigneeUserId: colleague.id },
      Date.parse('2026-03-02T02:00:00Z'),
    );
    // 20 (cuti bersama) → 21, 22 (Idulfitri, weekend) → 23, 24 (cuti bersama) → Wednesday 25.
    expect(created.dueDate).toBe('2026-03-25');

    const noticesOf = async (kind: string) =>
      database.db
        .select({ userId: notifications.recipientUserId })
        .from(notifications)
        .where(
          and(
            eq(notifications.kind, kind),
            eq(
              notifications.dedupeKey,
              `follow-up:${created.id}:${kind}:user-${kind === 'follow_up_escalation' ? manager.id : colleague.id}`,
            ),
          ),
        );
    // The working day before the 25th is Tuesday 17 (18–24 are all closed): 08:00 WITA = 00:00 UTC.
    expect(await scanFollowUps(database.db, Date.parse('2026-03-16T23:59:00Z'))).toBe(0);
    expect(await scanFollowUps(database.db, Date.parse('2026-03-17T00:00:00Z'))).toBe(1);
    expect(await noticesOf('follow_up_reminder')).toHaveLength(1);
    // Not again, however often the scan runs.
    expect(await scanFollowUps(database.db, Date.parse('2026-03-17T05:00:00Z'))).toBe(0);
    // Overdue at the start of the next working day, Thursday 26.
    expect(await scanFollowUps(database.db, Date.parse('2026-03-25T23:00:00Z'))).toBe(0);
    expect(await scanFollowUps(database.db, Date.parse('2026-03-26T00:00:00Z'))).toBe(1);
    expect(await noticesOf('follow_up_overdue')).toHaveLength(1);
    // Escalated to the manager on the third working day after the due date: 26, 27, Monday 30.
    expect(await scanFollowUps(database.db, Date.parse('2026-03-29T12:00:00Z'))).toBe(0);
    expect(await scanFollowUps(database.db, Date.parse('2026-03-30T00:00:00Z'))).toBe(1);
    expect(await noticesOf('follow_up_escalation')).toHaveLength(1);
    expect(await scanFollowUps(database.db, Date.parse('2026-04-30T00:00:00Z'))).toBe(0);

    // Done: no more notices; done twice at once is one 200 and one 409.
    const second = await addFollowUp(
      database.db,
      source,
      visit.id,
      { action: 'Kunjungan ulang', dueDate: '2026-04-08' },
      Date.parse('2026-04-01T02:00:00Z'),
    );
    const results = await Promise.all([
      call('POST', `/api/v1/visit-follow-ups/${second.id}/done`),
      call('POST', `/api/v1/visit-follow-ups/${second.id}/done`),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await completeFollowUp(database.db, source, created.id)).toMatchObject({ status: 'done' });
    expect(await scanFollowUps(database.db, Date.parse('2026-05-01T00:00:00Z'))).toBe(0);
    const [row] = await database.db.select().from(visitFollowUps).where(eq(visitFollowUps.id, second.id));
    expect(row!.lastNotice).toBe('none');
  });

  it('refuses a follow-up due in the past, naming the field', async () => {
    const visit = await newVisit();
    const res = await call('POST', `/api/v1/visits/${visit.id}/follow-ups`, {
      action: 'Terlambat',
      dueDate: '2020-01-06',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('body.dueDate');
  });

  it('counts visits planned against done per month and per team member, and follow-ups awaiting', async () => {
    const a = await newVisit({ date: '2025-07-08' });
    await newVisit({ date: '2025-07-22', teamUserIds: [officer.id] });
    const cancelled = await newVisit({ date: '2025-08-12' });
    await call('POST', `/api/v1/visits/${a.id}/close`, { findings: 'Dua IKM baru' });
    await call('POST', `/api/v1/visits/${cancelled.id}/cancel`);
    const figures = await call('GET', '/api/v1/visit-figures?year=2025');
    expect(figures.statusCode, figures.body).toBe(200);
    expect(figures.json().months).toEqual([
      { month: '2025-07', planned: 2, done: 1 },
      { month: '2025-08', planned: 0, done: 0 },
    ]);
    const july = figures.json().team.filter((t: { month: string }) => t.month === '2025-07');
    expect(july.find((t: { userId: string }) => t.userId === officer.id)).toMatchObject({ planned: 2, done: 1 });
    expect(july.find((t: { userId: string }) => t.userId === colleague.id)).toMatchObject({ planned: 1, done: 1 });
    expect(figures.json().followUps.open).toBeGreaterThanOrEqual(0);
    const elsewhere = await call('GET', '/api/v1/visit-figures?year=2025', undefined, outsiderToken);
    expect(elsewhere.json().months).toEqual([]);
  });
});
