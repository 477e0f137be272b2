// The outbox is drained outside any transaction: rows are leased (claim, commit, start, mark), so a workflow start that
// hangs holds no lock and no open transaction, and a caller can start exactly its own enrolments.
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq, inArray } from 'drizzle-orm';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { outbox } from '../../db/schema.js';
import { halalSelfDeclare } from '../../domain/templates/index.js';
import { freePort } from '../../infra/ports.js';
import { drainOutboxBatch, startEnrolments } from '../../services/workflows.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, kalselOffice } from '../helpers/fixtures.js';
import { createTimeSkippingEnv } from '../helpers/temporal.js';

/** Nobody polls it: started workflows just wait, which is all these tests look at. */
const taskQueue = 'outbox-nobody-polls';

describe('the outbox', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let officeId: string;

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createTimeSkippingEnv()]);
    officeId = (await kalselOffice(database.db)).id;
  });
  afterAll(async () => {
    await Promise.all([database.drop(), env.teardown()]);
  });

  /** An active enrolment with its pending outbox row, as the intake commits them. */
  async function committedEnrolment() {
    const business = await createBusiness(database.db, officeId);
    const enrolment = await createActiveEnrolment(database.db, halalSelfDeclare, business.id, officeId);
    const [row] = await database.db
      .insert(outbox)
      .values({ kind: 'start_enrolment', enrolmentId: enrolment.id })
      .returning();
    return { enrolment, row: row! };
  }

  const rowOf = async (id: number) => (await database.db.select().from(outbox).where(eq(outbox.id, id)))[0]!;
  const workflowStatus = (workflowId: string) =>
    env.client.workflow
      .getHandle(workflowId)
      .describe()
      .then((d) => d.status.name);

  it('holds no transaction and no row lock while a start hangs, and another drain skips the leased row', async () => {
    // Clear what earlier tests left, so the drain below claims exactly this row.
    await database.db.update(outbox).set({ processedAt: new Date() });
    const { enrolment, row } = await committedEnrolment();
    // A Temporal frontend that accepts the connection and never answers: the start hangs until it is aborted.
    const accepted: Socket[] = [];
    const blackHole: Server = createServer((socket) => accepted.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => blackHole.listen(port, '127.0.0.1', resolve));
    const connection = Connection.lazy({ address: `127.0.0.1:${port}` });
    const hanging = new Client({ connection });
    const abort = new AbortController();
    const drain = connection.withAbortSignal(abort.signal, () => drainOutboxBatch(database.db, hanging, taskQueue));
    try {
      await vi.waitFor(() => expect(accepted.length).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });

      const idle = await database.sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and state like 'idle in transaction%'`;
      expect(idle[0]!.n).toBe(0);
      // Another transaction may change the enrolment and the outbox row at once (nowait: a held lock fails it).
      await database.sql.begin(async (tx) => {
        await tx`select id from outbox where id = ${row.id} for update nowait`;
        await tx`select id from enrolments where id = ${enrolment.id} for update nowait`;
        await tx`update enrolments set updated_at = now() where id = ${enrolment.id}`;
      });
      expect((await rowOf(row.id)).claimedUntil).not.toBeNull();
      // The row is leased: a second drain, with a working Temporal, leaves it alone.
      expect(await drainOutboxBatch(database.db, env.client, taskQueue)).toEqual({ claimed: 0, started: 0 });
    } finally {
      abort.abort();
    }
    expect(await drain).toEqual({ claimed: 1, started: 0 });
    blackHole.close();
    for (const socket of accepted) socket.destroy();
    await connection.close();

    // The failed start is released with its error, for the next pass, which starts it.
    const failed = await rowOf(row.id);
    expect(failed).toMatchObject({ processedAt: null, claimedUntil: null, attempts: 1 });
    expect(failed.lastError).toBeTruthy();
    expect(await drainOutboxBatch(database.db, env.client, taskQueue)).toEqual({ claimed: 1, started: 1 });
    expect(await workflowStatus(enrolment.workflowId)).toBe('RUNNING');
    expect((await rowOf(row.id)).processedAt).not.toBeNull();
  });

  it('takes over a row whose lease expired (its drain died), and never one still leased', async () => {
    const expired = await committedEnrolment();
    const leased = await committedEnrolment();
    await database.db
      .update(outbox)
      .set({ claimedUntil: new Date(Date.now() - 1000) })
      .where(eq(outbox.id, expired.row.id));
    await database.db
      .update(outbox)
      .set({ claimedUntil: new Date(Date.now() + 60_000) })
      .where(eq(outbox.id, leased.row.id));
    expect(await drainOutboxBatch(database.db, env.client, taskQueue)).toEqual({ claimed: 1, started: 1 });
    expect(await workflowStatus(expired.enrolment.workflowId)).toBe('RUNNING');
    expect((await rowOf(leased.row.id)).processedAt).toBeNull();
    await expect(env.client.workflow.getHandle(leased.enrolment.workflowId).describe()).rejects.toThrow(/not found/i);
  });

  it('startEnrolments starts exactly the enrolments it is given, and leaves the other rows pending', async () => {
    const mine = await committedEnrolment();
    const others = [await committedEnrolment(), await committedEnrolment()];
    expect(await startEnrolments(database.db, env.client, taskQueue, [mine.enrolment.id])).toBe(1);
    expect(await workflowStatus(mine.enrolment.workflowId)).toBe('RUNNING');
    expect((await rowOf(mine.row.id)).processedAt).not.toBeNull();
    for (const other of others) {
      await expect(env.client.workflow.getHandle(other.enrolment.workflowId).describe()).rejects.toThrow(/not found/i);
    }
    const pending = await database.db
      .select()
      .from(outbox)
      .where(
        inArray(
          outbox.id,
          others.map((o) => o.row.id),
        ),
      );
    expect(pending.every((r) => r.processedAt === null)).toBe(true);
  });
});
