// Transactions begin on a reserved connection: postgres.js 3.4.9 pipelines a BEGIN onto a busy connection and, when the
// BEGIN fills that connection's pipeline, forgets to reserve it (UNSAFE_TRANSACTION, and a connection left inside an
// open transaction). 500 concurrent enrolments on a pool of 20 got there now and then (tests/quotas/intake.test.ts).
import { sql as raw } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../db/client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

describe('transactions on a busy pool', () => {
  let database: TestDatabase;
  let small: Database;
  beforeAll(async () => {
    database = await createTestDatabase({ seed: false });
    small = connectDatabase(database.url, { max: 2 });
  });
  afterAll(async () => {
    await small.close();
    await database.drop();
  });

  it('commits a transaction whose BEGIN arrives behind a full pipeline, and leaves no connection inside it', async () => {
    // Both connections open, then one held elsewhere: every statement below goes to the other, pipelined, and the
    // transaction's BEGIN is the hundredth in flight there, the one that fills the pipeline.
    await Promise.all([small.sql`select pg_sleep(0.05)`, small.sql`select pg_sleep(0.05)`]);
    const held = await small.sql.reserve();
    const pipelined = Array.from({ length: 100 }, () => small.sql`select pg_sleep(0.002)`.execute());
    const committed = small.db.transaction(async (tx) => {
      const [row] = await tx.execute<{ one: number }>(raw`select 1 as one`);
      return row!.one;
    });
    await expect(committed).resolves.toBe(1);
    await Promise.all(pipelined);
    held.release();
    // Every connection of the pool is outside a transaction again.
    const states = await small.sql<{ state: string | null }[]>`
      select state from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
        and application_name <> 'pendamping-listener'`;
    expect(states.filter((s) => s.state?.startsWith('idle in transaction'))).toEqual([]);
  });

  it('runs a nested transaction as a savepoint: its failure undoes only itself', async () => {
    await small.sql`create table if not exists nested_probe (n int)`;
    await small.db.transaction(async (tx) => {
      await tx.execute(raw`insert into nested_probe values (1)`);
      await expect(
        tx.transaction(async (inner) => {
          await inner.execute(raw`insert into nested_probe values (2)`);
          throw new Error('undo the inner one');
        }),
      ).rejects.toThrow('undo the inner one');
      await tx.transaction((inner) => inner.execute(raw`insert into nested_probe values (3)`));
    });
    const rows = await small.sql<{ n: number }[]>`select n from nested_probe order by n`;
    expect(rows.map((r) => r.n)).toEqual([1, 3]);
  });
});
