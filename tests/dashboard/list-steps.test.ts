// The dashboard's list of steps (dashboard_list_steps, migration 0016) where two writers meet: a business moving to
// another kabupaten/kota (which moves its steps' rows) while the engine finishes one of those steps late.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../db/client.js';
import { businesses, stepInstances } from '../../db/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/wait.js';
import { createBusiness, kalselOffice } from '../helpers/fixtures.js';
import { DAY, writeHistory } from './support.js';

describe('dashboard list of steps', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('keeps one row per step, in the new region, when a step finishes while its business moves', async () => {
    const { db, sql: client } = database;
    const office = await kalselOffice(db);
    const business = await createBusiness(db, office.id, { regionCode: '6371' });
    const openedAt = Date.parse('2026-03-02T01:00:00Z');
    const enrolmentId = await writeHistory(db, {
      businessId: business.id,
      officeId: office.id,
      programmeKey: 'halal-regular',
      year: 2026,
      status: 'active',
      activatedAt: openedAt,
      steps: [{ stepKey: 'bpjph_verification', openedAt, dueAt: openedAt + DAY, completedAt: null }],
    });
    const [step] = await db.select().from(stepInstances).where(eq(stepInstances.enrolmentId, enrolmentId));

    // The move holds its transaction open after its trigger has rewritten the step's row; the step finishes (late)
    // meanwhile, on another connection, and must wait for the move rather than fail or keep the old region.
    // The engine is another process: a connection of its own.
    const engine = connectDatabase(database.url);
    let finishing: Promise<unknown> | undefined;
    await client.begin(async (tx) => {
      await tx`update businesses set region_code = '6372' where id = ${business.id}`;
      // Started now (a query runs when awaited), finished after the move commits.
      finishing = (async () => {
        await engine.db
          .update(stepInstances)
          .set({ status: 'done', completedAt: new Date(openedAt + 3 * DAY), outcome: 'complete' })
          .where(eq(stepInstances.id, step!.id));
      })();
      await waitFor(
        async () => {
          const [waiting] = await tx<{ n: number }[]>`select count(*)::int as n from pg_locks where not granted`;
          return waiting!.n > 0;
        },
        { what: 'the finishing step to wait for the move' },
      );
    });
    await finishing;
    await engine.close();

    const listed = await db.execute<{ status: string; region_code: string }>(
      sql`select status, region_code from dashboard_list_steps where step_instance_id = ${step!.id}`,
    );
    expect([...listed]).toEqual([{ status: 'done', region_code: '6372' }]);
    const [moved] = await db.select().from(businesses).where(eq(businesses.id, business.id));
    expect(moved!.regionCode).toBe('6372');
  });
});
