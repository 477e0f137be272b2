// Reading query results in the two ways the dashboard and its reports need: all at once (aggregates of the
// summaries, a few thousand rows at most), or a batch at a time through a server-side cursor (lists of any length).
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Sql } from 'postgres';
import type { Db } from '../db/client.js';

export type Row = Record<string, unknown>;

export async function rows<T extends Row>(db: Db, query: SQL): Promise<T[]> {
  return [...(await db.execute<T>(query))] as T[];
}

const dialect = new PgDialect();

/** Rows of a query a batch at a time, so a report of a million rows never sits in memory. */
export async function* cursorRows(db: Db, query: SQL, limit?: number): AsyncGenerator<Row> {
  const { sql: text, params } = dialect.sqlToQuery(limit === undefined ? query : sql`${query} limit ${limit}`);
  // drizzle() gives every database its postgres-js client as $client; the Db type leaves it out.
  const client = (db as Db & { $client: Sql }).$client;
  for await (const batch of client.unsafe(text, params as never[]).cursor(500)) {
    for (const row of batch) yield row as Row;
  }
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
