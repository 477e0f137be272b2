// Figures of field work for managers: visits planned against done per month and per team member, follow-ups awaiting,
// prospects found, registered and enrolled.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { localDate } from '../../domain/calendar.js';
import { prospectCounts } from '../registry-prospects.js';
import type { Principal } from '../principal.js';
import { followUpCounts } from './follow-ups.js';

export async function visitFigures(
  db: Db,
  principal: Principal,
  q: { year: number; officeId?: string | undefined },
  now = Date.now(),
) {
  const officeId = principal.role === 'admin' ? q.officeId : (principal.officeId ?? '');
  const from = `${q.year}-01-01`;
  const to = `${q.year + 1}-01-01`;
  const inScope = officeId ? sql`and v.office_id = ${officeId}::uuid` : sql``;
  // "Planned" is every visit of the month that was not cancelled, made by a plan or not; "done" those closed.
  const [months, team, zone] = await Promise.all([
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
    officeId
      ? db.execute<{ time_zone: string }>(sql`select time_zone from offices where id = ${officeId}::uuid`)
      : Promise.resolve([{ time_zone: 'Asia/Jakarta' }]),
  ]);
  const today = localDate(now, [...zone][0]?.time_zone ?? 'Asia/Jakarta');
  const [followUps, prospects] = await Promise.all([
    followUpCounts(db, officeId || undefined, today),
    prospectCounts(db, officeId || undefined),
  ]);
  return {
    year: q.year,
    months: [...months].map((m) => ({ month: m.month, planned: m.planned, done: m.done })),
    team: [...team].map((t) => ({ month: t.month, userId: t.user_id, name: t.name, planned: t.planned, done: t.done })),
    followUps,
    prospects,
  };
}
