import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { applyMigrations, connectDatabase, type Database } from '../../db/client.js';
import { seedReference } from '../../db/seed/index.js';

export interface TestDatabase extends Database {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function databaseUrl(name: string): string {
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, migrated and seeded database of its own, so test files run in parallel without seeing each other. */
export async function createTestDatabase(options: { seed?: boolean } = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = databaseUrl(name);
  const database = connectDatabase(url, { max: 20 });
  await applyMigrations(database.db);
  if (options.seed ?? true) await seedReference(database.db);
  return {
    ...database,
    name,
    url,
    drop: async () => {
      await database.close();
      const cleanup = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** Row counts of every table, to prove a rejected request wrote nothing. */
export async function rowCounts(database: Database): Promise<Record<string, number>> {
  const tables = await database.sql<{ table_name: string }[]>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [row] = await database.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from "${table_name}"`);
    counts[table_name] = row!.n;
  }
  return counts;
}
