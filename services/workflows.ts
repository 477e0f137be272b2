// Starting workflows after a commit. The enrolment row (or calendar correction) and its outbox row are committed first;
// the start comes after the commit and is harmless to repeat (workflow ID = the enrolment's business key, or the outbox
// row's id for a calendar fan-out; conflict policy "use existing"), so the reconciler can start anything whose start was
// lost in a crash. No transaction stays open while a start waits on Temporal.
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  type Client,
} from '@temporalio/client';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { coalesced } from '../db/coalesce.js';
import { enrolments, outbox, programmeVersions } from '../db/schema.js';
import type { ProgrammeTemplate } from '../domain/template.js';
import { enrolmentWorkflowType, type EnrolmentInput } from '../workflows/messages.js';
import { startCalendarFanOutWorkflow } from './calendar-change.js';

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
  /** A case already under way: the step it begins at and when that step opened (EnrolmentInput.startAt). */
  startAt?: EnrolmentInput['startAt'];
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

/**
 * How long a workflow start may take. Temporal down fails a start at once; Temporal stalled holds it without end, and the
 * request that made the enrolment (committed already) would hang with it. A start that runs out stays in the outbox,
 * with its error, for the reconciler, as a failed one does.
 */
export const startAnswerMs = 10_000;

/** A workflow that already ran under the same ID counts as started: a retried start found its earlier success. */
async function startWorkflows(client: Client, taskQueue: string, targets: StartTarget[]): Promise<StartResult[]> {
  const startOne = async ({ enrolmentId, workflowId, template, startAt }: StartTarget): Promise<StartResult> => {
    const input: EnrolmentInput = { enrolmentId, template, ...(startAt ? { startAt } : {}) };
    try {
      await client.connection.withDeadline(Date.now() + startAnswerMs, () =>
        client.workflow.start(enrolmentWorkflowType, {
          workflowId,
          taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          // A finished enrolment's ID is never reused: a re-certification is a new enrolment with its own round.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      );
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

/** Marks the outbox rows of started enrolments done and counts a failed attempt on the others. */
async function recordResults(db: DbOrTx, results: StartResult[]): Promise<number> {
  const done = results.filter((r) => r.ok).map((r) => r.enrolmentId);
  if (done.length > 0) {
    await db
      .update(outbox)
      .set({ processedAt: new Date(), attempts: sql`${outbox.attempts} + 1` })
      .where(and(inArray(outbox.enrolmentId, done), isNull(outbox.processedAt)));
  }
  for (const r of results) {
    if (r.ok) continue;
    await db
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, lastError: r.error })
      .where(and(eq(outbox.enrolmentId, r.enrolmentId), isNull(outbox.processedAt)));
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
  // One array parameter, not one per id, and prepared: every batch size is the same statement, parsed once per connection.
  const markStarted = db
    .update(outbox)
    .set({ processedAt: sql`now()`, attempts: sql`${outbox.attempts} + 1` })
    .where(and(sql`${outbox.enrolmentId} = any(${sql.placeholder('ids')}::uuid[])`, isNull(outbox.processedAt)))
    .prepare('mark_started');
  return coalesced<string[]>(async (batches) => {
    await markStarted.execute({ ids: `{${batches.flat().join(',')}}` });
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

/** How long a drain holds the rows it claimed: past it, a drain that died is assumed gone and others take them. */
const claimLeaseSeconds = 120;

interface ClaimedRow {
  id: number;
  kind: 'start_enrolment' | 'calendar_fan_out';
  enrolmentId: string | null;
  officeId: string | null;
}

/**
 * Leases up to `limit` pending rows, in one statement that commits at once: rows that failed before come last, rows
 * another drain holds (locked this instant, or leased) are skipped. The attempt is counted here, so a row whose drain
 * keeps dying sinks behind new ones too.
 */
async function claimOutboxRows(db: Db, limit: number): Promise<ClaimedRow[]> {
  const rows = await db.execute<{
    id: string;
    kind: ClaimedRow['kind'];
    enrolment_id: string | null;
    office_id: string | null;
  }>(sql`
    update outbox set claimed_until = now() + make_interval(secs => ${claimLeaseSeconds}), attempts = attempts + 1
    where id in (
      select id from outbox
      where processed_at is null and (claimed_until is null or claimed_until < now())
      order by attempts, id
      limit ${limit}
      for update skip locked)
    returning id, kind, enrolment_id, office_id`);
  return rows.map((r) => ({ id: Number(r.id), kind: r.kind, enrolmentId: r.enrolment_id, officeId: r.office_id }));
}

/** Ends the lease of claimed rows: done ones are processed, failed ones keep their error and wait for the next pass. */
async function releaseClaims(db: Db, done: number[], failed: { id: number; error: string }[]): Promise<void> {
  if (done.length > 0) {
    await db
      .update(outbox)
      .set({ processedAt: new Date(), claimedUntil: null })
      .where(and(inArray(outbox.id, done), isNull(outbox.processedAt)));
  }
  for (const f of failed) {
    await db
      .update(outbox)
      .set({ lastError: f.error, claimedUntil: null })
      .where(and(eq(outbox.id, f.id), isNull(outbox.processedAt)));
  }
}

/**
 * Starts the workflows that the outbox asks for (enrolments, calendar fan-outs) and marks them done; a failed start
 * stays in the outbox with its error for the next pass. Claim, commit, start, mark: no transaction or row lock is held
 * while the starts wait on Temporal, and concurrent drains take disjoint rows. Returns how many rows it claimed and
 * started.
 */
export async function drainOutboxBatch(
  db: Db,
  client: Client,
  taskQueue: string,
  limit = 100,
): Promise<{ claimed: number; started: number }> {
  const rows = await claimOutboxRows(db, limit);
  const enrolmentRows = rows.filter((r) => r.kind === 'start_enrolment');
  const results = await loadAndStart(db, client, taskQueue, [...new Set(enrolmentRows.map((r) => r.enrolmentId!))]);
  const byEnrolment = new Map(results.map((r) => [r.enrolmentId, r]));
  const done: number[] = [];
  const failed: { id: number; error: string }[] = [];
  for (const row of enrolmentRows) {
    const result = byEnrolment.get(row.enrolmentId!)!;
    if (result.ok) done.push(row.id);
    else failed.push({ id: row.id, error: result.error });
  }
  await Promise.all(
    rows
      .filter((r) => r.kind === 'calendar_fan_out')
      .map(async (row) => {
        try {
          await startCalendarFanOutWorkflow(client, taskQueue, { id: row.id, officeId: row.officeId });
          done.push(row.id);
        } catch (err) {
          failed.push({ id: row.id, error: err instanceof Error ? err.message : String(err) });
        }
      }),
  );
  await releaseClaims(db, done, failed);
  return { claimed: rows.length, started: done.length };
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
