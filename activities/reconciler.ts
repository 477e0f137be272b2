// The reconciler's one activity: pooled places first (they queue starts), then the outbox until it is empty or only
// failing rows are left.
import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { count, isNull } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { outbox } from '../db/schema.js';
import { promoteIntoPooledPlaces } from '../services/quota.js';
import { drainOutboxBatch } from '../services/workflows.js';
import type { ReconcileResult, ReconcilerActivities } from '../workflows/reconciler.js';

const batchSize = 200;

export function createReconcilerActivities(deps: {
  database: Database;
  temporal?: { client: Client; taskQueue: string };
}): ReconcilerActivities {
  const { db } = deps.database;
  return {
    async reconcile(): Promise<ReconcileResult> {
      if (!deps.temporal) {
        throw ApplicationFailure.create({
          type: 'NotConfigured',
          message: 'this worker has no Temporal client for the reconciler (ActivityDeps.temporal)',
          nonRetryable: true,
        });
      }
      const { client, taskQueue } = deps.temporal;
      const promoted = await promoteIntoPooledPlaces(db, new Date());
      let started = 0;
      for (;;) {
        const pass = await drainOutboxBatch(db, client, taskQueue, batchSize);
        started += pass.started;
        // A short batch emptied the outbox; a batch with no success holds only failing rows, kept for the next run.
        if (pass.claimed < batchSize || pass.started === 0) break;
      }
      const [left] = await db.select({ n: count() }).from(outbox).where(isNull(outbox.processedAt));
      return { promoted: promoted.length, started, pending: left?.n ?? 0 };
    },
  };
}
