// Folding of the dashboard summaries: the triggers of migrations 0009, 0011 and 0014 append a +1/-1 row per change, and
// this turns a table's appended rows into one row per key. Reads are exact either way (they sum both kinds); folding
// only keeps the rows to sum few. One folder at a time (an advisory lock); the others skip, since the next read folds
// again.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';

const tables: { name: string; keys: string[] }[] = [
  {
    name: 'dashboard_enrolment_counts',
    keys: [
      'office_id',
      'programme_key',
      'year',
      'region_code',
      'quota_id',
      'cohort_id',
      'status',
      'current_step',
      'activated_month',
    ],
  },
  {
    name: 'dashboard_step_durations',
    keys: [
      'office_id',
      'programme_key',
      'year',
      'region_code',
      'step_key',
      'completed_month',
      'duration_days',
      'due_result',
    ],
  },
  {
    name: 'dashboard_step_days',
    keys: ['office_id', 'programme_key', 'year', 'region_code', 'step_key', 'duration_days'],
  },
  {
    name: 'dashboard_completion_durations',
    keys: ['office_id', 'programme_key', 'year', 'region_code', 'duration_days'],
  },
  {
    name: 'dashboard_open_steps',
    keys: ['office_id', 'programme_key', 'year', 'region_code', 'step_key', 'opened_day'],
  },
  {
    name: 'dashboard_due_steps',
    keys: ['office_id', 'programme_key', 'programme_version', 'year', 'region_code', 'step_key', 'due_at'],
  },
  { name: 'dashboard_business_counts', keys: ['office_id', 'region_code', 'sentra_id'] },
];

// An arbitrary constant that names this lock among the application's advisory locks.
const foldLock = 7_240_012;

// Every table's fold in one block, sent in one round trip: a read that finds nothing to fold (most of them) pays one
// statement, not a transaction of nine. Keys counted down to nothing go; with nothing appended since the last fold
// there are none, and the block scans no summary.
const foldBlock = `do $fold$ begin
  if pg_try_advisory_xact_lock(${foldLock}) then
    ${tables
      .map(({ name, keys }) => {
        const cols = keys.join(', ');
        return `with appended as (delete from ${name} where not folded returning ${cols}, n)
      insert into ${name} (${cols}, n, folded)
      select ${cols}, sum(n), true from appended group by ${cols}
      on conflict (${cols}) where folded do update set n = ${name}.n + excluded.n;
    if found then delete from ${name} where folded and n = 0; end if;`;
      })
      .join('\n    ')}
  end if;
end $fold$`;

/** Folds appended rows into their keys' rows (unless another call is folding them now). */
export async function foldDashboardSummaries(db: Db): Promise<void> {
  await db.execute(sql.raw(foldBlock));
}

/**
 * Recomputes every summary from the rows, in one transaction that holds writers off: after a bulk load written with
 * the triggers off (scripts/generate-history.ts), or to repair. The statements mirror the triggers of migrations 0009, 0012,
 * 0013 and 0016 (the list of steps the dashboard shows, dashboard_list_steps, is rebuilt with them).
 */
export async function rebuildDashboardSummaries(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`lock table businesses, enrolments, step_instances in share mode`);
    await tx.execute(sql.raw(`truncate ${tables.map((t) => t.name).join(', ')}`));
    await tx.execute(sql`insert into dashboard_business_counts (office_id, region_code, sentra_id, n, folded)
      select office_id, region_code, coalesce(sentra_id::text, ''), count(*), true from businesses group by 1, 2, 3`);
    const joined = sql`from enrolments e join businesses b on b.id = e.business_id join offices o on o.id = e.office_id`;
    await tx.execute(sql`insert into dashboard_enrolment_counts (office_id, programme_key, year, region_code, quota_id,
        cohort_id, status, current_step, activated_month, n, folded)
      select e.office_id, e.programme_key, e.year, b.region_code, coalesce(e.quota_id::text, ''),
        coalesce(e.cohort_id::text, ''), e.status, coalesce(e.current_step, ''),
        coalesce(to_char(e.activated_at at time zone o.time_zone, 'YYYY-MM'), ''), count(*), true
      ${joined} group by 1, 2, 3, 4, 5, 6, 7, 8, 9`);
    await tx.execute(sql`insert into dashboard_completion_durations (office_id, programme_key, year, region_code,
        duration_days, n, folded)
      select e.office_id, e.programme_key, e.year, b.region_code,
        floor(extract(epoch from e.completed_at - e.activated_at) / 86400)::integer, count(*), true
      ${joined} where e.status = 'completed' and e.completed_at is not null and e.activated_at is not null
      group by 1, 2, 3, 4, 5`);
    const steps = sql`from step_instances s join enrolments e on e.id = s.enrolment_id
      join businesses b on b.id = e.business_id join offices o on o.id = e.office_id`;
    await tx.execute(sql`insert into dashboard_step_durations (office_id, programme_key, year, region_code, step_key,
        completed_month, duration_days, due_result, n, folded)
      select e.office_id, e.programme_key, e.year, b.region_code, s.step_key,
        to_char(s.completed_at at time zone o.time_zone, 'YYYY-MM'),
        floor(extract(epoch from s.completed_at - s.opened_at) / 86400)::integer,
        case when s.due_at is null then 'none' when s.completed_at <= s.due_at then 'within' else 'late' end,
        count(*), true
      ${steps} where s.status = 'done' and s.completed_at is not null group by 1, 2, 3, 4, 5, 6, 7, 8`);
    await tx.execute(sql`insert into dashboard_step_days (office_id, programme_key, year, region_code, step_key,
        duration_days, n, folded)
      select office_id, programme_key, year, region_code, step_key, duration_days, sum(n), true
      from dashboard_step_durations group by 1, 2, 3, 4, 5, 6`);
    await tx.execute(sql`insert into dashboard_open_steps (office_id, programme_key, year, region_code, step_key,
        opened_day, n, folded)
      select e.office_id, e.programme_key, e.year, b.region_code, s.step_key,
        to_char(s.opened_at at time zone o.time_zone, 'YYYY-MM-DD'), count(*), true
      ${steps} where s.status in ('open', 'paused') group by 1, 2, 3, 4, 5, 6`);
    await tx.execute(sql`insert into dashboard_due_steps (office_id, programme_key, programme_version, year, region_code,
        step_key, due_at, n, folded)
      select e.office_id, e.programme_key, e.programme_version, e.year, b.region_code, s.step_key, s.due_at, count(*),
        true
      ${steps} where s.status = 'open' and s.due_at is not null group by 1, 2, 3, 4, 5, 6, 7`);
    await tx.execute(sql`truncate dashboard_list_steps`);
    await tx.execute(sql`insert into dashboard_list_steps (step_instance_id, enrolment_id, office_id, programme_key,
        programme_version, year, region_code, step_key, status, opened_at, due_at, completed_at)
      select s.id, s.enrolment_id, e.office_id, e.programme_key, e.programme_version, e.year, b.region_code, s.step_key,
        s.status, s.opened_at, s.due_at, s.completed_at
      ${steps} where s.status in ('open', 'paused') or s.status = 'done' and s.completed_at > s.due_at`);
  });
}
