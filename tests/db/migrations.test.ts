import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../db/client.js';
import * as schema from '../../db/schema.js';
import { seedReference } from '../../db/seed/index.js';
import { createTestDatabase, rowCounts, type TestDatabase } from '../helpers/db.js';

describe('migrations and reference seed', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ seed: false });
  });
  afterAll(() => database.drop());

  it('creates every table of the model, with its columns, on an empty database', async () => {
    // The model is db/schema.ts itself: a table added there without a migration (or the reverse) fails here.
    const model = Object.fromEntries(
      (Object.values(schema) as unknown[])
        .filter((x): x is PgTable => is(x, PgTable))
        .map((table) => {
          const { name, columns } = getTableConfig(table);
          return [name, columns.map((c) => c.name).sort()];
        }),
    );
    const rows = await database.sql<{ table_name: string; column_name: string }[]>`
      select c.table_name, c.column_name
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE'`;
    const created: Record<string, string[]> = {};
    for (const r of rows) (created[r.table_name] ??= []).push(r.column_name);
    for (const columns of Object.values(created)) columns.sort();
    expect(Object.keys(model)).toContain('assistant_assignments');
    expect(created).toEqual(model);
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
    expect(offices.map((o) => o.time_zone)).toEqual(['Asia/Makassar', 'Asia/Makassar']);
  });

  it('rejects a quota that would be over-allocated at the database level', async () => {
    await database.sql`insert into programmes (key, name_id, name_en) values ('p', 'P', 'P')`;
    const [office] = await database.sql<{ id: string }[]>`select id from offices limit 1`;
    await expect(
      database.sql`insert into quotas (programme_key, year, office_id, places_limit, places_used) values ('p', 2026, ${office!.id}, 1, 2)`,
    ).rejects.toThrow(/quotas_never_over_allocated/);
  });
});
