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
  sql.begin = beginOnReservedConnection(sql);
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

/** How long a dropped or refused LISTEN waits before it listens again. */
const relistenDelayMs = 1_000;

/** A LISTEN that keepListening keeps. */
export interface KeptListener {
  /** Its connection, for a statement whose notification must come back on it (a barrier's NOTIFY). */
  readonly sql: postgres.Sql;
  /** True from each LISTEN that succeeded until the connection drops. */
  readonly listening: boolean;
  close(): Promise<void>;
}

/**
 * LISTENs on `channel` on a connection of its own, and listens again a second after the connection drops or the LISTEN
 * is refused, until closed. Whoever keeps something the notifications keep true must drop it in `onDropped` (told
 * whether it was listening) and again in `onListening`, each time it listens: a change committed while nobody listened
 * was never announced.
 */
export async function keepListening(
  database: Database,
  channel: string,
  handlers: {
    onnotify: (payload: string) => void;
    onListening: () => void;
    onDropped: (wasListening: boolean) => void;
    onRefused: (err: unknown) => void;
  },
): Promise<KeptListener> {
  let listening = false;
  let closed = false;
  const again = () => {
    if (!closed) setTimeout(() => void listen(), relistenDelayMs).unref();
  };
  const sql = database.listener({
    onnotify: (from, payload) => {
      if (from === channel) handlers.onnotify(payload);
    },
    onclose: () => {
      const was = listening;
      listening = false;
      handlers.onDropped(was);
      again();
    },
  });
  async function listen() {
    if (closed || listening) return;
    try {
      await sql`listen ${sql(channel)}`;
      handlers.onListening();
      listening = true;
    } catch (err) {
      handlers.onRefused(err);
      again();
    }
  }
  await listen();
  return {
    sql,
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      listening = false;
      await sql.end({ timeout: 5 });
    },
  };
}

/**
 * postgres.js 3.4.9 can send a transaction's BEGIN without reserving its connection (porsager/postgres#823, #1189): its
 * `begin` pipelines BEGIN onto any connection, and when BEGIN is the query that fills that connection's pipeline (100
 * queries in flight, which 500 concurrent enrolments on a pool of 20 reach) the hook that reserves the connection is
 * skipped. The BEGIN then fails with UNSAFE_TRANSACTION (a 500), and the connection goes back to the pool inside an
 * open transaction, where other requests' statements would run uncommitted. A connection from `reserve()` is handed
 * over only when no query is queued before it and nothing else is pipelined onto it, so every transaction begins on one.
 */
function beginOnReservedConnection(sql: postgres.Sql): postgres.Sql['begin'] {
  const begin = async (first: unknown, second?: unknown) => {
    const [options, run] = typeof first === 'function' ? ['', first] : [String(first), second];
    const connection = Object.assign(await sql.reserve(), { savepoint: savepointOn });
    let usable = true;
    try {
      await connection.unsafe(`begin ${options.replace(/[^a-z ]/gi, '')}`);
      try {
        const result = await (run as (tx: postgres.ReservedSql) => unknown)(connection);
        await connection.unsafe('commit');
        return result;
      } catch (error) {
        await connection.unsafe('rollback').catch(() => {
          // The connection is gone (its close took it out of the pool): the transaction is over with it.
          usable = false;
        });
        throw error;
      }
    } catch (error) {
      if (isConnectionLost(error)) usable = false;
      throw error;
    } finally {
      // A lost connection was already handed back to the pool to reconnect; releasing it would list it as open.
      if (usable) connection.release();
    }
  };
  return begin as postgres.Sql['begin'];
}

let savepoints = 0;

/** A nested transaction (Drizzle's `tx.transaction`) on a reserved connection, as postgres.js's own `savepoint`. */
async function savepointOn(this: postgres.ReservedSql, run: (tx: postgres.ReservedSql) => unknown) {
  const name = `s${++savepoints}`;
  await this.unsafe(`savepoint ${name}`);
  try {
    const result = await run(this);
    await this.unsafe(`release savepoint ${name}`);
    return result;
  } catch (error) {
    await this.unsafe(`rollback to savepoint ${name}`);
    throw error;
  }
}

const isConnectionLost = (error: unknown) =>
  typeof (error as { code?: unknown })?.code === 'string' &&
  /^(CONNECTION_|CONNECT_TIMEOUT|ECONNRESET|EPIPE)/.test((error as { code: string }).code);

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
