// Quota places change only here, inside the caller's transaction, with conditional updates: a place is taken only
// while used < limit, so concurrent enrolments can never over-allocate, whatever the interleaving.
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { enrolments, outbox, quotas } from '../db/schema.js';

/** Takes one place if one is free; true when taken. */
export async function takePlace(tx: Tx, quotaId: string): Promise<boolean> {
  const taken = await tx
    .update(quotas)
    .set({ placesUsed: sql`${quotas.placesUsed} + 1`, updatedAt: new Date() })
    .where(and(eq(quotas.id, quotaId), sql`${quotas.placesUsed} < ${quotas.placesLimit}`))
    .returning({ id: quotas.id });
  return taken.length === 1;
}

/**
 * Gives a place back and hands it to the first waitlisted enrolment (higher priority first, then earlier arrival),
 * whose workflow start is queued in the outbox. Returns the promoted enrolment's id, if any.
 * The waitlist row is locked with SKIP LOCKED so two releases never promote the same enrolment.
 */
export async function releasePlaceAndPromote(tx: Tx, quotaId: string, at: Date): Promise<string | null> {
  await tx
    .update(quotas)
    .set({ placesUsed: sql`${quotas.placesUsed} - 1`, updatedAt: at })
    .where(eq(quotas.id, quotaId));
  return promoteWaitlisted(tx, quotaId, at);
}

/** Fills a free place from the waitlist, if there is a free place and a waiting enrolment. */
export async function promoteWaitlisted(tx: Tx, quotaId: string, at: Date): Promise<string | null> {
  const [next] = await tx
    .select({ id: enrolments.id })
    .from(enrolments)
    .where(and(eq(enrolments.quotaId, quotaId), eq(enrolments.status, 'waitlisted')))
    .orderBy(desc(enrolments.priority), asc(enrolments.createdAt), asc(enrolments.id))
    .limit(1)
    .for('update', { skipLocked: true });
  if (!next) return null;
  if (!(await takePlace(tx, quotaId))) return null;
  await tx.update(enrolments).set({ status: 'active', activatedAt: at, updatedAt: at }).where(eq(enrolments.id, next.id));
  await tx.insert(outbox).values({ kind: 'start_enrolment', enrolmentId: next.id });
  return next.id;
}
