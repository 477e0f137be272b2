// The managers' dashboard at national scale: BENCH_BUSINESSES (100,000) businesses and BENCH_ENROLMENTS (1,000,000)
// enrolments with step histories (scripts/generate-history.ts), then the p95 of GET /api/v1/dashboard (several
// filters) and of the /dashboard page, against the same figures computed by raw SQL over the rows without the
// summaries (the baseline, in the same run), and the enrolment report streamed whole as CSV with its memory.
// BENCH_DASHBOARD_DATA=/some/folder keeps the generated Postgres there for the next run (see startWithData).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'drizzle-orm';
import { apiTokens, users } from '../db/schema.js';
import { hashToken } from '../services/credentials.js';
import { generateHistory } from '../scripts/generate-history.js';
import type { BenchMetric } from './run.js';
import { startStack } from './stack.js';

// The bench measures what stays in the heap, so it collects garbage itself: the flag, then V8's gc() from a fresh context.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1]!;

async function timeEach(n: number, task: () => Promise<void>): Promise<number[]> {
  await task();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await task();
    times.push(performance.now() - started);
  }
  return times;
}

interface Generated {
  businesses: number;
  enrolments: number;
  year: number;
  seconds: number;
}

/**
 * The stack on generated data. With BENCH_DASHBOARD_DATA a folder of its own keeps the Postgres between runs: the data
 * is generated once (about nine minutes of CPU at a million enrolments) and a later run of the same sizes and year
 * reuses it, after the migrations are applied as on any start (a new migration backfills its summaries itself). The
 * sizes are read back from the rows, not only from the note the generating run leaves; anything else starts afresh.
 */
async function startWithData(dataDir: string | undefined, wanted: Omit<Generated, 'seconds'>) {
  const note = dataDir && join(dataDir, 'generated.json');
  if (note && existsSync(note)) {
    const stack = await startStack({ temporal: false, dataDir });
    const generated = JSON.parse(readFileSync(note, 'utf8')) as Generated;
    const [rows] = await stack.database.sql<{ businesses: number; enrolments: number }[]>`
      select (select count(*)::int from businesses where nib like '7%' and office_id = ${stack.kalselId}) as businesses,
        (select count(*)::int from enrolments where workflow_id like 'gen-%') as enrolments`;
    if (
      generated.year === wanted.year &&
      rows!.businesses === wanted.businesses &&
      rows!.enrolments === wanted.enrolments
    ) {
      console.log(
        `reusing ${rows!.businesses} businesses, ${rows!.enrolments} enrolments in ${dataDir} (generated in ${generated.seconds.toFixed(0)} s)`,
      );
      return { ...stack, generated, reused: true };
    }
    await stack.stop();
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  const stack = await startStack({ temporal: false, dataDir });
  const generating = performance.now();
  await generateHistory(stack.database, wanted);
  const generated = { ...wanted, seconds: (performance.now() - generating) / 1000 };
  console.log(
    `generated ${wanted.businesses} businesses, ${wanted.enrolments} enrolments in ${generated.seconds.toFixed(0)} s`,
  );
  if (note) writeFileSync(note, `${JSON.stringify(generated)}\n`);
  return { ...stack, generated, reused: false };
}

export default async function run(): Promise<BenchMetric[]> {
  const businessCount = Number(process.env.BENCH_BUSINESSES ?? 100_000);
  const enrolmentCount = Number(process.env.BENCH_ENROLMENTS ?? 1_000_000);
  const year = new Date().getUTCFullYear();
  const dataDir = process.env.BENCH_DASHBOARD_DATA;
  const stack = await startWithData(dataDir, { businesses: businessCount, enrolments: enrolmentCount, year });
  try {
    const { database, app, kalselId } = stack;

    const [manager] = await database.db
      .insert(users)
      .values({ name: 'Kepala Bidang', role: 'manager', officeId: kalselId })
      .returning({ id: users.id });
    const token = `b-${randomBytes(24).toString('hex')}`;
    await database.db.insert(apiTokens).values({
      userId: manager!.id,
      tokenHash: hashToken(token),
      kind: 'session',
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    const get = (url: string, headers: Record<string, string>) => async () => {
      const response = await app.inject({ method: 'GET', url, headers });
      if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
    };
    const bearer = { authorization: `Bearer ${token}` };
    const requests = 20;
    const api = [
      ...(await timeEach(requests, get(`/api/v1/dashboard?year=${year}`, bearer))),
      ...(await timeEach(requests, get(`/api/v1/dashboard?year=${year}&programmeKey=halal-regular`, bearer))),
      ...(await timeEach(requests, get(`/api/v1/dashboard?year=${year}&regionCode=6371`, bearer))),
    ];
    const page = await timeEach(requests, get(`/dashboard?year=${year}`, { cookie: `pdp_session=${token}` }));
    const load = loadavg()[0]!;

    // The baseline: the summaries' figures (pipeline, step durations, SLA, open steps by day, regions, completions)
    // straight from the rows of the office's year, as the dashboard would have to without them.
    const office = sql`e.office_id = ${kalselId} and e.year = ${year}`;
    const rawQueries = [
      sql`select e.programme_key, e.status, e.current_step, count(*) from enrolments e where ${office} group by 1, 2, 3`,
      sql`select e.programme_key, s.step_key, floor(extract(epoch from s.completed_at - s.opened_at) / 86400), count(*)
          from step_instances s join enrolments e on e.id = s.enrolment_id where ${office} and s.status = 'done'
          group by 1, 2, 3`,
      sql`select e.programme_key, s.step_key, count(*) filter (where s.completed_at <= s.due_at), count(*)
          from step_instances s join enrolments e on e.id = s.enrolment_id where ${office} and s.status = 'done'
          group by 1, 2`,
      sql`select e.programme_key, s.step_key, date(s.opened_at), count(*) from step_instances s
          join enrolments e on e.id = s.enrolment_id where ${office} and s.status in ('open', 'paused') group by 1, 2, 3`,
      sql`select b.region_code, e.status, count(*) from enrolments e join businesses b on b.id = e.business_id
          where ${office} group by 1, 2`,
      sql`select b.region_code, count(*) from businesses b where b.office_id = ${kalselId} group by 1`,
      sql`select e.programme_key, floor(extract(epoch from e.completed_at - e.activated_at) / 86400), count(*)
          from enrolments e where ${office} and e.status = 'completed' group by 1, 2`,
    ];
    const raw = await timeEach(5, async () => {
      for (const q of rawQueries) await database.db.execute(q);
    });

    // The year's whole enrolment list as CSV (half the enrolments), then one programme's (a fifth of that): how far
    // the heap grew at its peak (garbage included) and what stayed after each collection. Nothing sits in memory when
    // neither grows with the rows.
    const exportOf = async (url: string) => {
      collectGarbage();
      const before = process.memoryUsage().heapUsed;
      let peak = before;
      let retained = 0;
      let samples = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
        if (++samples % 10 === 0) {
          collectGarbage();
          retained = Math.max(retained, process.memoryUsage().heapUsed - before);
        }
      }, 50);
      const started = performance.now();
      const report = await app.inject({ method: 'GET', url, headers: bearer, payloadAsStream: true });
      let lines = 0;
      for await (const chunk of report.stream()) lines += (chunk as Buffer).toString().split('\r\n').length - 1;
      clearInterval(sampler);
      const seconds = (performance.now() - started) / 1000;
      return {
        rows: lines - 1,
        rate: (lines - 1) / seconds,
        peak: (peak - before) / 2 ** 20,
        retained: retained / 2 ** 20,
      };
    };
    const whole = await exportOf(`/api/v1/reports/enrolments?year=${year}`);
    const part = await exportOf(`/api/v1/reports/enrolments?year=${year}&programmeKey=halal-regular`);

    return [
      { metric: 'businesses', value: businessCount, unit: 'rows', goal: 100_000, better: 'higher' },
      { metric: 'enrolments', value: enrolmentCount, unit: 'rows', goal: 1_000_000, better: 'higher' },
      {
        metric: stack.reused
          ? 'generate businesses and enrolments with step histories (the run that generated the reused data)'
          : 'generate businesses and enrolments with step histories',
        value: stack.generated.seconds,
        unit: 's',
        goal: 600,
        better: 'lower',
      },
      { metric: 'GET /api/v1/dashboard p95 (3 filters × 20)', value: p95(api), unit: 'ms', goal: 100, better: 'lower' },
      { metric: 'GET /dashboard page p95', value: p95(page), unit: 'ms', goal: 300, better: 'lower' },
      {
        metric: 'baseline: the same counts by raw SQL on the rows, p95',
        value: p95(raw),
        unit: 'ms',
        goal: 100,
        better: 'lower',
      },
      {
        metric: 'raw SQL p95 / dashboard request p95',
        value: p95(raw) / p95(api),
        unit: 'ratio',
        goal: 1,
        better: 'higher',
      },
      { metric: 'load average (1 min) when the requests ran', value: load, unit: 'runnable', goal: 2, better: 'lower' },
      { metric: 'enrolment report CSV rows (the year)', value: whole.rows, unit: 'rows', goal: 1, better: 'higher' },
      { metric: 'enrolment report CSV rate', value: whole.rate, unit: 'rows/s', goal: 10_000, better: 'higher' },
      {
        metric: 'heap growth at its peak while streaming it (garbage included)',
        value: whole.peak,
        unit: 'MiB',
        goal: 100,
        better: 'lower',
      },
      {
        metric: 'heap kept after garbage collection while streaming it',
        value: whole.retained,
        unit: 'MiB',
        goal: 16,
        better: 'lower',
      },
      {
        metric: 'enrolment report CSV rows (one programme)',
        value: part.rows,
        unit: 'rows',
        goal: 1,
        better: 'higher',
      },
      {
        metric: 'heap kept after garbage collection, one programme',
        value: part.retained,
        unit: 'MiB',
        goal: 16,
        better: 'lower',
      },
      {
        // A CSV line is about 140 bytes: a report that buffered its rows would keep at least that much per row.
        metric: 'heap kept after collection per row of the year',
        value: (whole.retained * 2 ** 20) / Math.max(whole.rows, 1),
        unit: 'bytes/row',
        goal: 10,
        better: 'lower',
      },
    ];
  } finally {
    await stack.stop();
  }
}
