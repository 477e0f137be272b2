import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import * as schema from './schema.js';

export type Db = PostgresJsDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  /**
   * A connection of its own to the same database for LISTEN: one connection, never recycled (a recycled connection
   * would stop listening), calling `onclose` whenever it drops.
   */
  listener(handlers: { onnotify: (channel: string, payload: string) => void; onclose: () => void }): postgres.Sql;
  close(): Promise<void>;
}

export function connectDatabase(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // Keep connection attempts short so /readyz answers 503 quickly while Postgres is down.
    connect_timeout: 5,
  });
  const db = drizzle(sql, { schema });
  const listener: Database['listener'] = ({ onnotify, onclose }) => {
    // postgres.js calls `onnotify` for every notification on the connection; its types leave the option out.
    const options: postgres.Options<Record<string, never>> & { onnotify: typeof onnotify } = {
      max: 1,
      idle_timeout: 0,
      max_lifetime: null,
      fetch_types: false,
      connect_timeout: 5,
      // How an operator (or a test) tells it apart in pg_stat_activity.
      connection: { application_name: 'pendamping-listener' },
      onnotice: () => {},
      onnotify,
      onclose,
    };
    return postgres(url, options);
  };
  return { db, sql, listener, close: () => sql.end({ timeout: 5 }) };
}

const dialect = new PgDialect();

/**
 * Runs a statement as a prepared statement of the connection it lands on. Drizzle runs `db.execute` (and every query
 * builder not `.prepare`d) as an unnamed statement that postgres.js describes before it binds: two round trips, and a
 * parse and plan by Postgres, every time. Prepared, a statement is parsed once per connection, sent in one round trip,
 * and its plan can be kept. Only for statements run often whose text never varies (every value a parameter, no lists
 * spread into parameters): each distinct text stays prepared on every connection for the connection's life.
 */
export async function executePrepared<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  // drizzle() gives every database its postgres-js client as $client; the Db type leaves it out.
  const client = (db as Db & { $client: postgres.Sql }).$client;
  return client.unsafe<T[]>(text, params as never[], { prepare: true });
}

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export async function applyMigrations(db: Db): Promise<void> {
  await migrate(db, { migrationsFolder });
}
