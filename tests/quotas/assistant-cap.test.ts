// A Pendamping PPH verifies at most the quota's daily cap of applications a day, however many officers book at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { enrolments, offices, programmes, quotas } from '../../db/schema.js';
import { rowCounts, type TestDatabase } from '../helpers/db.js';
import { kalselOffice } from '../helpers/fixtures.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { insertBusinesses, officerHeaders } from './support.js';

describe('Pendamping PPH daily cap', () => {
  let database: TestDatabase;
  let stack: TestStack;
  let app: App;
  let officers: { authorization: string }[];
  let ids: string[];
  let waitlistedId: string;

  beforeAll(async () => {
    stack = await startTestStack();
    ({ database, app } = stack);
    const { db } = database;
    const office = await kalselOffice(db);
    await db.insert(programmes).values({ key: 'halal-self-declare', nameId: 'x', nameEn: 'x' }).onConflictDoNothing();
    const [quota] = await db
      .insert(quotas)
      .values({
        programmeKey: 'halal-self-declare',
        year: 2027,
        officeId: office.id,
        placesLimit: 12,
        placesUsed: 12,
        dailyCapPerAssistant: 10,
      })
      .returning();
    const list = await insertBusinesses(db, office.id, 13);
    const rows = await db
      .insert(enrolments)
      .values(
        list.map((b, i) => ({
          workflowId: `cap-${b.nib}`,
          businessId: b.id,
          officeId: office.id,
          programmeKey: 'halal-self-declare',
          programmeVersion: 1,
          year: 2027,
          quotaId: quota!.id,
          status: i < 12 ? ('active' as const) : ('waitlisted' as const),
        })),
      )
      .returning();
    ids = rows.filter((r) => r.status === 'active').map((r) => r.id);
    waitlistedId = rows.find((r) => r.status === 'waitlisted')!.id;
    officers = await officerHeaders(db, office.id, 12);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const book = (id: string, headers: { authorization: string }, date = '2027-02-01', assistantId = 'PPH-63-0042') =>
    app.inject({
      method: 'PUT',
      url: `/api/v1/enrolments/${id}/assistant`,
      headers,
      payload: { assistantId, assistantName: 'Ustadzah Hj. Mariyam', verificationDate: date },
    });

  it('books exactly the cap when twelve officers book one assistant for one day at once', async () => {
    const answers = await Promise.all(ids.map((id, i) => book(id, officers[i]!)));
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(10);
    const refused = answers.filter((a) => a.statusCode === 409);
    expect(refused).toHaveLength(2);
    expect(refused[0]!.json().detail).toMatch(/already has 10 verifications on 2027-02-01 \(at most 10 a day\)/);
    const [{ n }] = (await database.sql`select count(*)::int as n from assistant_assignments`) as unknown as [
      { n: number },
    ];
    expect(n).toBe(10);
  });

  it('lets a refused enrolment take another day or assistant, and re-booking the same one counts once', async () => {
    const booked = await database.sql<{ enrolment_id: string }[]>`select enrolment_id from assistant_assignments`;
    const refusedId = ids.find((id) => !booked.some((b) => b.enrolment_id === id))!;
    expect((await book(refusedId, officers[0]!, '2027-02-02')).json()).toMatchObject({
      bookedThatDay: 1,
      dailyCap: 10,
    });
    const again = await book(booked[0]!.enrolment_id, officers[0]!);
    expect(again.statusCode).toBe(200);
    expect(again.json().bookedThatDay).toBe(10);
    const shown = await app.inject({ url: `/api/v1/enrolments/${refusedId}/assistant`, headers: officers[0]! });
    expect(shown.json()).toMatchObject({ verificationDate: '2027-02-02', bookedThatDay: 1 });
  });

  it('refuses a waitlisted enrolment, hides another office, and writes nothing on a refusal', async () => {
    const before = await rowCounts(database);
    expect((await book(waitlistedId, officers[0]!)).statusCode).toBe(409);
    const [other] = await database.db
      .insert(offices)
      .values({ name: 'Dinas Kota Samarinda', level: 'kota', regionCode: '6472', timeZone: 'Asia/Makassar' })
      .returning();
    const [stranger] = await officerHeaders(database.db, other!.id, 1);
    expect((await book(ids[0]!, stranger!)).statusCode).toBe(404);
    const bad = await app.inject({
      method: 'PUT',
      url: `/api/v1/enrolments/${ids[0]}/assistant`,
      headers: officers[0]!,
      payload: { assistantId: 'PPH 63; drop table', assistantName: 'X', verificationDate: '2027-02-30' },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['body.assistantId', 'body.assistantName', 'body.verificationDate']);
    const after = await rowCounts(database);
    expect({ ...after, offices: before.offices, users: before.users, api_tokens: before.api_tokens }).toEqual(before);
  });
});
