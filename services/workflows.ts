// Starting enrolment workflows. The enrolment row and its outbox row are committed first; the start comes after the
// commit and is harmless to repeat (workflow ID = the enrolment's business key, conflict policy "use existing"),
// so the reconciler can start anything whose start was lost in a crash.
import type { Client } from '@temporalio/client';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { enrolments, outbox, programmeVersions } from '../db/schema.js';
import type { ProgrammeTemplate } from '../domain/template.js';
import { enrolmentWorkflowType, type EnrolmentInput } from '../workflows/messages.js';

/** The workflow ID of an enrolment: readable in the Temporal UI, unique per business, programme, year and round. */
export function enrolmentWorkflowId(e: { programmeKey: string; year: number; nib: string; round: number }): string {
  return `enrolment-${e.programmeKey}-${e.year}-${e.nib}-r${e.round}`;
}

export async function startEnrolmentWorkflow(db: Db, client: Client, taskQueue: string, enrolmentId: string): Promise<void> {
  const [row] = await db
    .select({ workflowId: enrolments.workflowId, status: enrolments.status, template: programmeVersions.template })
    .from(enrolments)
    .innerJoin(
      programmeVersions,
      and(eq(programmeVersions.programmeKey, enrolments.programmeKey), eq(programmeVersions.version, enrolments.programmeVersion)),
    )
    .where(eq(enrolments.id, enrolmentId));
  if (!row) throw new Error(`enrolment ${enrolmentId} not found`);
  if (row.status === 'waitlisted') return;
  const input: EnrolmentInput = { enrolmentId, template: row.template as ProgrammeTemplate };
  await client.workflow.start(enrolmentWorkflowType, {
    workflowId: row.workflowId,
    taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A finished enrolment's ID is never reused: a re-certification is a new enrolment with its own round.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}

/**
 * Starts the workflows that the outbox asks for, oldest first, and marks them done; a failed start stays in the
 * outbox with its error for the next pass. Safe to run concurrently with itself: rows are claimed with SKIP LOCKED.
 * Returns how many it started.
 */
export async function drainOutbox(db: Db, client: Client, taskQueue: string, limit = 100): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(outbox)
      .where(isNull(outbox.processedAt))
      .orderBy(asc(outbox.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    let started = 0;
    for (const row of rows) {
      try {
        await startEnrolmentWorkflow(db, client, taskQueue, row.enrolmentId);
        await tx.update(outbox).set({ processedAt: new Date(), attempts: sql`${outbox.attempts} + 1` }).where(eq(outbox.id, row.id));
        started++;
      } catch (err) {
        await tx
          .update(outbox)
          .set({ attempts: sql`${outbox.attempts} + 1`, lastError: err instanceof Error ? err.message : String(err) })
          .where(eq(outbox.id, row.id));
      }
    }
    return started;
  });
}
