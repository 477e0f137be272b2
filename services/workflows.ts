// Starting enrolment workflows. The enrolment row and its outbox row are committed first; the start comes after the
// commit and is harmless to repeat (workflow ID = the enrolment's business key, conflict policy "use existing"),
// so the reconciler can start anything whose start was lost in a crash.
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  type Client,
} from '@temporalio/client';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { enrolments, outbox, programmeVersions } from '../db/schema.js';
import type { ProgrammeTemplate } from '../domain/template.js';
import { enrolmentWorkflowType, type EnrolmentInput } from '../workflows/messages.js';

/** The workflow ID of an enrolment: readable in the Temporal UI, unique per business, programme, year and round. */
export function enrolmentWorkflowId(e: { programmeKey: string; year: number; nib: string; round: number }): string {
  return `enrolment-${e.programmeKey}-${e.year}-${e.nib}-r${e.round}`;
}

/** Starts at once against the Temporal frontend, per batch: enough to hide its latency, few enough not to flood it. */
const startConcurrency = 32;

type StartResult = { enrolmentId: string; ok: true } | { enrolmentId: string; ok: false; error: string };

/** What a start needs: a caller that has just committed the enrolment knows it and saves reading it back. */
export interface StartTarget {
  enrolmentId: string;
  workflowId: string;
  template: ProgrammeTemplate;
}

/**
 * The start targets of these enrolments; those no longer active (finished, or waitlisted) need none and count as done.
 * Reads go through `db` as given, so inside a transaction they use its connection and never wait for another from the pool.
 */
async function loadTargets(
  db: DbOrTx,
  enrolmentIds: string[],
): Promise<{ targets: StartTarget[]; done: StartResult[] }> {
  if (enrolmentIds.length === 0) return { targets: [], done: [] };
  const rows = await db
    .select({
      id: enrolments.id,
      workflowId: enrolments.workflowId,
      status: enrolments.status,
      programmeKey: enrolments.programmeKey,
      programmeVersion: enrolments.programmeVersion,
    })
    .from(enrolments)
    .where(inArray(enrolments.id, enrolmentIds));
  const templates = new Map<string, ProgrammeTemplate>();
  for (const r of rows) {
    const key = `${r.programmeKey}\u0000${r.programmeVersion}`;
    if (templates.has(key)) continue;
    const [v] = await db
      .select({ template: programmeVersions.template })
      .from(programmeVersions)
      .where(
        and(eq(programmeVersions.programmeKey, r.programmeKey), eq(programmeVersions.version, r.programmeVersion)),
      );
    if (v) templates.set(key, v.template as ProgrammeTemplate);
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  const targets: StartTarget[] = [];
  const done: StartResult[] = [];
  for (const enrolmentId of enrolmentIds) {
    const row = byId.get(enrolmentId);
    const template = row && templates.get(`${row.programmeKey}\u0000${row.programmeVersion}`);
    if (!row) done.push({ enrolmentId, ok: false, error: `enrolment ${enrolmentId} not found` });
    else if (row.status !== 'active' && row.status !== 'paused') done.push({ enrolmentId, ok: true });
    else if (!template)
      done.push({ enrolmentId, ok: false, error: `programme ${row.programmeKey} v${row.programmeVersion} not found` });
    else targets.push({ enrolmentId, workflowId: row.workflowId, template });
  }
  return { targets, done };
}

/** A workflow that already ran under the same ID counts as started: a retried start found its earlier success. */
async function startWorkflows(client: Client, taskQueue: string, targets: StartTarget[]): Promise<StartResult[]> {
  const startOne = async ({ enrolmentId, workflowId, template }: StartTarget): Promise<StartResult> => {
    const input: EnrolmentInput = { enrolmentId, template };
    try {
      await client.workflow.start(enrolmentWorkflowType, {
        workflowId,
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        // A finished enrolment's ID is never reused: a re-certification is a new enrolment with its own round.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      return { enrolmentId, ok: true };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { enrolmentId, ok: true };
      return { enrolmentId, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  };
  const results: StartResult[] = [];
  for (let i = 0; i < targets.length; i += startConcurrency) {
    results.push(...(await Promise.all(targets.slice(i, i + startConcurrency).map(startOne))));
  }
  return results;
}

async function loadAndStart(
  db: DbOrTx,
  client: Client,
  taskQueue: string,
  enrolmentIds: string[],
): Promise<StartResult[]> {
  const { targets, done } = await loadTargets(db, enrolmentIds);
  return [...done, ...(await startWorkflows(client, taskQueue, targets))];
}

/**
 * Marks the outbox rows of started enrolments done and counts a failed attempt on the others. `claimed` limits the
 * change to the rows a drain holds, so two drains never wait for each other's rows.
 */
async function recordResults(db: DbOrTx, results: StartResult[], claimed?: number[]): Promise<number> {
  const mine = claimed ? inArray(outbox.id, claimed) : undefined;
  const done = results.filter((r) => r.ok).map((r) => r.enrolmentId);
  if (done.length > 0) {
    await db
      .update(outbox)
      .set({ processedAt: new Date(), attempts: sql`${outbox.attempts} + 1` })
      .where(and(inArray(outbox.enrolmentId, done), isNull(outbox.processedAt), mine));
  }
  for (const r of results) {
    if (r.ok) continue;
    await db
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, lastError: r.error })
      .where(and(eq(outbox.enrolmentId, r.enrolmentId), isNull(outbox.processedAt), mine));
  }
  return done.length;
}

export async function startEnrolmentWorkflow(
  db: DbOrTx,
  client: Client,
  taskQueue: string,
  enrolmentId: string,
): Promise<void> {
  const [result] = await loadAndStart(db, client, taskQueue, [enrolmentId]);
  if (result && !result.ok) throw new Error(result.error);
}

/**
 * Starts the workflows of enrolments just committed, and marks their outbox rows done. Holds no lock and no transaction
 * while it waits on Temporal: if the reconciler starts one of them at the same time, the second start is harmless.
 * A failed start stays in the outbox, with its error, for the reconciler. Returns how many were started.
 */
export async function startEnrolments(
  db: Db,
  client: Client,
  taskQueue: string,
  enrolmentIds: string[],
): Promise<number> {
  return recordResults(db, await loadAndStart(db, client, taskQueue, enrolmentIds));
}

/**
 * Marks done the outbox rows of enrolments started after their commit. Concurrent requests share one UPDATE: while one
 * is running, the next collects every request that arrives meanwhile, so under load a row costs a fraction of a
 * statement. A mark that fails or never runs (the process dies) only makes the reconciler start the workflow again,
 * which is harmless.
 */
function createStartedMarker(db: Db) {
  let waiting: { ids: string[]; settle: (error?: unknown) => void }[] = [];
  let running = false;
  const run = async () => {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      const ids = batch.flatMap((w) => w.ids);
      try {
        await db
          .update(outbox)
          .set({ processedAt: new Date(), attempts: sql`${outbox.attempts} + 1` })
          // One array parameter, not one per id: every batch size is then the same prepared statement.
          .where(and(sql`${outbox.enrolmentId} = any(${`{${ids.join(',')}}`}::uuid[])`, isNull(outbox.processedAt)));
        for (const w of batch) w.settle();
      } catch (error) {
        for (const w of batch) w.settle(error);
      }
    }
    running = false;
  };
  return (ids: string[]) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ ids, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!running) void run();
    });
}

const startedMarkers = new WeakMap<Db, (enrolmentIds: string[]) => Promise<void>>();

/** startEnrolments for enrolments whose workflow ID and template the caller holds: nothing is read back. */
export async function startKnownEnrolments(
  db: Db,
  client: Client,
  taskQueue: string,
  targets: StartTarget[],
): Promise<number> {
  const results = await startWorkflows(client, taskQueue, targets);
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) await recordResults(db, failed);
  const started = results.filter((r) => r.ok).map((r) => r.enrolmentId);
  if (started.length > 0) {
    let mark = startedMarkers.get(db);
    if (!mark) startedMarkers.set(db, (mark = createStartedMarker(db)));
    await mark(started);
  }
  return started.length;
}

/**
 * Starts workflows while a bulk enrolment goes on: every `startConcurrency` active enrolments are started at once,
 * without waiting, so Temporal's latency overlaps the next transactions. finish() waits for all and returns how many
 * started. A failure is logged by the caller and left to the reconciler.
 */
export function createStarter(db: Db, client: Client, taskQueue: string) {
  const pending: StartTarget[] = [];
  // Settled at once into values: a batch that fails while the enrolment goes on must not be an unhandled rejection.
  const running: Promise<{ started: number } | { error: unknown }>[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    running.push(
      startKnownEnrolments(db, client, taskQueue, pending.splice(0)).then(
        (started) => ({ started }),
        (error: unknown) => ({ error }),
      ),
    );
  };
  return {
    add(target: StartTarget) {
      pending.push(target);
      if (pending.length >= startConcurrency) flush();
    },
    async finish(): Promise<number> {
      flush();
      let started = 0;
      for (const outcome of await Promise.all(running)) {
        if ('error' in outcome) throw outcome.error;
        started += outcome.started;
      }
      return started;
    },
  };
}

/**
 * Starts the workflows that the outbox asks for and marks them done; a failed start stays in the outbox with its error
 * for the next pass. Rows that failed before come last, so a row that always fails cannot hold back new ones.
 * Safe to run concurrently with itself: rows are claimed with SKIP LOCKED. Returns how many rows it claimed and started.
 */
export async function drainOutboxBatch(
  db: Db,
  client: Client,
  taskQueue: string,
  limit = 100,
): Promise<{ claimed: number; started: number }> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: outbox.id, enrolmentId: outbox.enrolmentId })
      .from(outbox)
      .where(isNull(outbox.processedAt))
      .orderBy(asc(outbox.attempts), asc(outbox.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    const ids = [...new Set(rows.map((r) => r.enrolmentId))];
    const started = await recordResults(
      tx,
      await loadAndStart(tx, client, taskQueue, ids),
      rows.map((r) => r.id),
    );
    return { claimed: rows.length, started };
  });
}

/** One pass of drainOutboxBatch; returns how many it started. */
export async function drainOutbox(db: Db, client: Client, taskQueue: string, limit = 100): Promise<number> {
  return (await drainOutboxBatch(db, client, taskQueue, limit)).started;
}

export const reconcilerScheduleId = 'pendamping-reconciler';
export const reconcileWorkflowType = 'reconcileWorkflow';

/**
 * Creates the reconciler's schedule (every minute), or brings an existing one up to date: safe on every start of every
 * API process. A run still going when the next is due makes that one skip, so passes never overlap.
 */
export async function ensureReconcilerSchedule(client: Client, taskQueue: string): Promise<void> {
  const spec = { intervals: [{ every: '1m' as const }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: reconcileWorkflowType,
    workflowId: `${reconcilerScheduleId}-run`,
    taskQueue,
    args: [],
    workflowExecutionTimeout: '5m' as const,
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' as const };
  try {
    await client.schedule.create({ scheduleId: reconcilerScheduleId, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(reconcilerScheduleId)
      .update((previous) => ({ ...previous, spec, action, policies }));
  }
}
