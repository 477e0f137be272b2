// Quota places change only here, inside the caller's transaction, with conditional updates: a place is taken only
// while used < limit, so concurrent enrolments can never over-allocate, whatever the interleaving.
//
// Locks, and why no freed place is lost and nothing deadlocks:
// - an enrolment row is locked before a quota row, by everyone: the intake inserts its row first, the withdrawal locks
//   its row first, and a release or a raise holds only the one quota it changes when it locks the enrolment it promotes;
// - an enrolment that finds no free place locks every quota it could use (in id order) and keeps them until its
//   waitlisted row commits, so a release that frees a place either runs first (and the enrolment takes the place) or
//   waits and then sees the waitlisted row;
// - rows are locked FOR NO KEY UPDATE, never FOR UPDATE: inserting an enrolment or an outbox row takes a KEY SHARE lock
//   on the quota or enrolment it references, which FOR UPDATE would wait for (two enrolments, each holding what the
//   other wants, deadlock), while NO KEY UPDATE waits only for another writer of the same row.
//
// A quota whose pooling date has passed (in the office's time zone) serves the whole office: any enrolment of the same
// programme year and office may take its free places, and a place of it that frees goes to the first waiting enrolment
// of any of those quotas. The promoted enrolment then holds the place of this quota (quota_id follows the place).
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { quotas } from '../db/schema.js';
import { conflict } from '../domain/errors.js';
import { recordEnrolmentNotice } from './notifications/record.js';

/**
 * Takes a place of this quota for this enrolment if one is free, in one statement: the place (a conditional update,
 * used < limit), the enrolment made active holding it, and the outbox row asking for its workflow. Returns the instant
 * it became active (`at`, or the database clock when none is given), or null when no place was free.
 */
export async function activateIfFree(
  tx: Tx,
  quotaId: string,
  enrolmentId: string,
  at: Date | null,
): Promise<Date | null> {
  const activatedAt = at ? sql`${at.toISOString()}::timestamptz` : sql`clock_timestamp()`;
  const [row] = await tx.execute<{ activated_at: string | Date }>(sql`
    with taken as (
      update quotas set places_used = places_used + 1, updated_at = now()
      where id = ${quotaId} and places_used < places_limit
      returning id),
    activated as (
      update enrolments set status = 'active', quota_id = ${quotaId}, activated_at = ${activatedAt}, updated_at = ${activatedAt}
      where id = ${enrolmentId} and exists (select 1 from taken)
      returning activated_at),
    queued as (
      insert into outbox (kind, enrolment_id) select 'start_enrolment', ${enrolmentId}::uuid from activated)
    select activated_at from activated`);
  return row ? new Date(row.activated_at) : null;
}

/**
 * The quotas whose free places an enrolment homed at `homeQuotaId` may take, home first: the home quota and those of
 * the same programme year and office whose pooling date has passed. Their rows stay locked until the caller commits,
 * so a caller that finds no place in them can waitlist its enrolment without a release missing it.
 */
export async function lockUsableQuotas(tx: Tx, homeQuotaId: string): Promise<string[]> {
  const usable = await tx.execute<{ id: string }>(sql`
    select q.id from quotas q
    join quotas home on home.id = ${homeQuotaId}
    join offices o on o.id = q.office_id
    where q.id = home.id
       or (q.programme_key = home.programme_key and q.year = home.year and q.office_id = home.office_id
           and q.pooling_date <= (now() at time zone o.time_zone)::date)
    order by q.id
    for no key update of q`);
  return [homeQuotaId, ...usable.map((r) => r.id).filter((id) => id !== homeQuotaId)];
}

/**
 * Gives a place back and hands it to the first waitlisted enrolment, whose workflow start is queued in the outbox.
 * Returns the promoted enrolment's id, if any.
 */
export async function releasePlaceAndPromote(tx: Tx, quotaId: string, at: Date): Promise<string | null> {
  await tx
    .update(quotas)
    .set({ placesUsed: sql`${quotas.placesUsed} - 1`, updatedAt: at })
    .where(eq(quotas.id, quotaId));
  return promoteWaitlisted(tx, quotaId, at);
}

/**
 * Fills a free place of this quota from the waitlist, if there is a free place and a waiting enrolment. The candidate is
 * locked and waited for, not skipped: skipping a row someone else holds would promote the second in line before the first.
 */
export async function promoteWaitlisted(tx: Tx, quotaId: string, at: Date): Promise<string | null> {
  const [next] = await tx.execute<{ id: string }>(sql`
    select e.id from enrolments e
    where e.status = 'waitlisted' and e.quota_id in (
      select q2.id from quotas q
      join offices o on o.id = q.office_id
      join quotas q2 on q2.id = q.id
        or (q.pooling_date <= (now() at time zone o.time_zone)::date
            and q2.programme_key = q.programme_key and q2.year = q.year and q2.office_id = q.office_id)
      where q.id = ${quotaId})
    order by e.priority desc, e.created_at asc, e.id asc
    limit 1
    for no key update of e`);
  if (!next) return null;
  if (!(await activateIfFree(tx, quotaId, next.id, at))) return null;
  await recordEnrolmentNotice(tx, next.id, { kind: 'promoted', occurrence: '0', at: at.getTime() });
  return next.id;
}

/** Promotes from the waitlist until this quota is full or nobody waits; the promoted ids in order. */
export async function fillFromWaitlist(tx: Tx, quotaId: string, at: Date): Promise<string[]> {
  const promoted: string[] = [];
  for (;;) {
    const id = await promoteWaitlisted(tx, quotaId, at);
    if (!id) return promoted;
    promoted.push(id);
  }
}

/**
 * Raises or lowers a quota's places. Never below the places in use (409 saying how many); a raise promotes waiting
 * enrolments into the new places at once. Returns the quota before and after, and the promoted enrolments.
 */
export async function changePlacesLimit(tx: Tx, quotaId: string, placesLimit: number, at: Date) {
  const [before] = await tx.select().from(quotas).where(eq(quotas.id, quotaId)).for('no key update');
  if (!before) return null;
  if (placesLimit < before.placesUsed) {
    throw conflict(
      `Kuota tidak dapat diturunkan ke ${placesLimit}: ${before.placesUsed} tempat sedang dipakai / ` +
        `The quota cannot go down to ${placesLimit}: ${before.placesUsed} places are in use`,
      { placesUsed: before.placesUsed },
    );
  }
  await tx.update(quotas).set({ placesLimit, updatedAt: at }).where(eq(quotas.id, quotaId));
  const promoted = placesLimit > before.placesLimit ? await fillFromWaitlist(tx, quotaId, at) : [];
  const [after] = await tx.select().from(quotas).where(eq(quotas.id, quotaId));
  return { before, after: after!, promoted };
}

/**
 * Pooled quotas with free places while someone in their office waits: a pooling date that has just passed frees places
 * without any release happening, so the reconciler calls this every minute. Returns the promoted enrolments.
 */
export async function promoteIntoPooledPlaces(db: Db, at: Date): Promise<string[]> {
  const candidates = await db.execute<{ id: string }>(sql`
    select q.id from quotas q
    join offices o on o.id = q.office_id
    where q.pooling_date <= (now() at time zone o.time_zone)::date
      and q.places_used < q.places_limit
      and exists (
        select 1 from enrolments e join quotas q2 on q2.id = e.quota_id
        where e.status = 'waitlisted' and q2.programme_key = q.programme_key and q2.year = q.year and q2.office_id = q.office_id)
    order by q.id`);
  const promoted: string[] = [];
  for (const { id } of candidates) {
    promoted.push(
      ...(await db.transaction(async (tx) => {
        await tx
          .select({ id: quotas.id })
          .from(quotas)
          .where(and(eq(quotas.id, id), gt(quotas.placesLimit, quotas.placesUsed)))
          .for('no key update');
        return fillFromWaitlist(tx, id, at);
      })),
    );
  }
  return promoted;
}
