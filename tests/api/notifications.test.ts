import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { notifications, offices } from '../../db/schema.js';
import { buildTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createBusiness, createToken, createUser, kalselOffice } from '../helpers/fixtures.js';
import { createTimeSkippingEnv } from '../helpers/temporal.js';

describe('notifications: inboxes and delivery state', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let app: App;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  let ids: { mine: string; neighbour: string; officers: string };
  let tokens: { business: string; officer: string; stranger: string };

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createTimeSkippingEnv()]);
    app = await buildTestApp({ database, temporal: env.client });
    const { db } = database;
    const office = await kalselOffice(db);
    const [other] = await db
      .insert(offices)
      .values({ name: 'Dinas Kota Samarinda', level: 'kota', regionCode: '6472', timeZone: 'Asia/Makassar' })
      .returning();
    const mine = await createBusiness(db, office.id);
    const neighbour = await createBusiness(db, office.id, { name: 'CV Sasirangan Banjar' });
    const note = (businessId: string, recipientRole: 'business' | 'officer', key: string) => ({
      dedupeKey: key,
      businessId,
      officeId: office.id,
      recipientRole,
      channel: 'in_app' as const,
      kind: 'reminder',
      titleId: 'Pengingat',
      titleEn: 'Reminder',
      bodyId: 'Isi',
      bodyEn: 'Body',
      scheduledFor: new Date('2026-12-01T00:00:00Z'),
    });
    const rows = await db
      .insert(notifications)
      .values([note(mine.id, 'business', 'a'), note(neighbour.id, 'business', 'b'), note(mine.id, 'officer', 'c')])
      .returning();
    ids = { mine: rows[0]!.id, neighbour: rows[1]!.id, officers: rows[2]!.id };
    tokens = {
      business: await createToken(db, (await createUser(db, 'business', office.id, mine.id)).id),
      officer: await createToken(db, (await createUser(db, 'officer', office.id)).id),
      stranger: await createToken(db, (await createUser(db, 'officer', other!.id)).id),
    };
  });
  afterAll(async () => {
    await app.close();
    await Promise.all([database.drop(), env.teardown()]);
  });

  it("shows a business only its own inbox, and the office all of its office's notices", async () => {
    const inbox = await app.inject({ url: '/api/v1/notifications', headers: auth(tokens.business) });
    expect(inbox.json().items.map((n: { id: string }) => n.id)).toEqual([ids.mine]);
    expect(inbox.json().items[0]).toMatchObject({
      status: 'pending',
      attempts: 0,
      title: { id: 'Pengingat', en: 'Reminder' },
    });
    const office = await app.inject({ url: '/api/v1/notifications', headers: auth(tokens.officer) });
    expect(office.json().items).toHaveLength(3);
    const stranger = await app.inject({ url: '/api/v1/notifications', headers: auth(tokens.stranger) });
    expect(stranger.json().items).toEqual([]);
  });

  it('marks a notification read only for whom it is meant', async () => {
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/v1/notifications/${ids.neighbour}/read`,
          headers: auth(tokens.business),
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/v1/notifications/${ids.mine}/read`,
          headers: auth(tokens.officer),
        })
      ).statusCode,
    ).toBe(403);
    const read = await app.inject({
      method: 'POST',
      url: `/api/v1/notifications/${ids.mine}/read`,
      headers: auth(tokens.business),
    });
    expect(read.statusCode).toBe(200);
    expect(read.json().status).toBe('read');
  });
});
