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

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export async function applyMigrations(db: Db): Promise<void> {
  await migrate(db, { migrationsFolder });
}
