import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../db/client.js';
import { seedReference } from '../../db/seed/index.js';
import { createTestDatabase, rowCounts, type TestDatabase } from '../helpers/db.js';

describe('migrations and reference seed', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ seed: false });
  });
  afterAll(() => database.drop());

  it('creates every table of the model on an empty database', async () => {
    const tables = await database.sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`;
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'api_tokens',
        'audit_log',
        'businesses',
        'calendar_days',
        'calendar_years',
        'certificates',
        'cohorts',
        'enrolments',
        'idempotency_keys',
        'notifications',
        'offices',
        'outbox',
        'programme_versions',
        'programmes',
        'quotas',
        'regions',
        'sentra',
        'step_instances',
        'users',
      ]),
    );
  });

  it('applies again as a no-op and seeds reference data idempotently', async () => {
    await applyMigrations(database.db);
    await seedReference(database.db);
    const first = await rowCounts(database);
    await seedReference(database.db);
    expect(await rowCounts(database)).toEqual(first);
    expect(first.regions).toBe(25);
    expect(first.offices).toBe(2);
    expect(first.calendar_years).toBe(2);
  });

  it('keeps both code systems for the Kaltim kabupaten where they differ, and the wilayah', async () => {
    const [kukar] = await database.sql<{ code: string; bps_code: string; wilayah: string }[]>`
      select code, bps_code, wilayah from regions where name = 'Kutai Kartanegara'`;
    expect(kukar).toEqual({ code: '6402', bps_code: '6403', wilayah: 'III' });
    const offices = await database.sql<{ time_zone: string }[]>`select time_zone from offices`;
    expect(offices.every((o) => o.time_zone === 'Asia/Makassar')).toBe(true);
  });

  it('rejects a quota that would be over-allocated at the database level', async () => {
    await database.sql`insert into programmes (key, name_id, name_en) values ('p', 'P', 'P')`;
    const [office] = await database.sql<{ id: string }[]>`select id from offices limit 1`;
    await expect(
      database.sql`insert into quotas (programme_key, year, office_id, places_limit, places_used) values ('p', 2026, ${office!.id}, 1, 2)`,
    ).rejects.toThrow(/quotas_never_over_allocated/);
  });
});
