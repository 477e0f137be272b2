// Folding of the dashboard summaries: the triggers of migration 0005 append a +1/-1 row per change, and this turns a
// table's appended rows into one row per key. Reads are exact either way (they sum both kinds); folding only keeps
// the rows to sum few. One folder at a time (an advisory lock); the others skip, since the next read folds again.
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
    name: 'dashboard_completion_durations',
    keys: ['office_id', 'programme_key', 'year', 'region_code', 'duration_days'],
  },
  {
    name: 'dashboard_open_steps',
    keys: ['office_id', 'programme_key', 'year', 'region_code', 'step_key', 'opened_day'],
  },
  { name: 'dashboard_business_counts', keys: ['office_id', 'region_code', 'sentra_id'] },
];

// An arbitrary constant that names this lock among the application's advisory locks.
const foldLock = 7_240_012;

/** Folds appended rows into their keys' rows; returns whether this call did the folding. */
export async function foldDashboardSummaries(db: Db): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.execute<{ got: boolean }>(sql`select pg_try_advisory_xact_lock(${foldLock}) as got`);
    if (!lock?.got) return false;
    for (const { name, keys } of tables) {
      const cols = keys.join(', ');
      await tx.execute(
        sql.raw(`with appended as (delete from ${name} where not folded returning ${cols}, n)
          insert into ${name} (${cols}, n, folded)
          select ${cols}, sum(n), true from appended group by ${cols}
          on conflict (${cols}) where folded do update set n = ${name}.n + excluded.n`),
      );
      await tx.execute(sql.raw(`delete from ${name} where folded and n = 0`));
    }
    return true;
  });
}
