// Figures of field work for managers: visits planned against done per month and per team member, follow-ups awaiting,
// prospects found, registered and enrolled, and the inventory's sites due a visit.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { localDate } from '../../domain/calendar.js';
import { prospectCounts } from '../registry-prospects.js';
import { siteVisitCounts } from '../sites.js';
import type { Principal } from '../principal.js';
import { followUpCounts } from './follow-ups.js';

/** The field-work figures of an office, or of every office (undefined), for a year; "today" in the given zone. */
export async function officeVisitFigures(
  db: Db,
  q: { officeId: string | undefined; year: number; zone: string; now: number },
) {
  const { officeId } = q;
  const from = `${q.year}-01-01`;
  const to = `${q.year + 1}-01-01`;
  const inScope = officeId ? sql`and v.office_id = ${officeId}::uuid` : sql``;
  // "Planned" is every visit of the month that was not cancelled, made by a plan or not; "done" those closed.
  const [months, team, followUps, prospects, sites] = await Promise.all([
    db.execute<{ month: string; planned: number; done: number }>(sql`
      select to_char(v.date, 'YYYY-MM') as month,
        (count(*) filter (where v.status <> 'cancelled'))::int as planned,
        (count(*) filter (where v.status = 'closed'))::int as done
      from visits v where v.date >= ${from}::date and v.date < ${to}::date ${inScope}
      group by 1 order by 1`),
    db.execute<{ month: string; user_id: string; name: string; planned: number; done: number }>(sql`
      select to_char(v.date, 'YYYY-MM') as month, u.id as user_id, u.name,
        (count(*) filter (where v.status <> 'cancelled'))::int as planned,
        (count(*) filter (where v.status = 'closed'))::int as done
      from visits v join visit_team t on t.visit_id = v.id join users u on u.id = t.user_id
      where v.date >= ${from}::date and v.date < ${to}::date ${inScope}
      group by 1, 2, 3 order by 1, 3, 2`),
    followUpCounts(db, officeId, localDate(q.now, q.zone)),
    prospectCounts(db, officeId),
    siteVisitCounts(db, officeId),
  ]);
  return {
    year: q.year,
    months: [...months].map((m) => ({ month: m.month, planned: m.planned, done: m.done })),
    team: [...team].map((t) => ({ month: t.month, userId: t.user_id, name: t.name, planned: t.planned, done: t.done })),
    followUps,
    prospects,
    sites,
  };
}

export type VisitFigures = Awaited<ReturnType<typeof officeVisitFigures>>;

export async function visitFigures(
  db: Db,
  principal: Principal,
  q: { year: number; officeId?: string | undefined },
  now = Date.now(),
): Promise<VisitFigures> {
  const officeId = principal.role === 'admin' ? q.officeId : (principal.officeId ?? '');
  const [office] = officeId
    ? await db.execute<{ time_zone: string }>(sql`select time_zone from offices where id = ${officeId}::uuid`)
    : [];
  return officeVisitFigures(db, {
    officeId: officeId || undefined,
    year: q.year,
    zone: office?.time_zone ?? 'Asia/Jakarta',
    now,
  });
}
