// The managers' dashboard at national scale: BENCH_BUSINESSES (100,000) businesses and BENCH_ENROLMENTS (1,000,000)
// enrolments with step histories (scripts/generate-history.ts), then the p95 of GET /api/v1/dashboard (several
// filters) and of the /dashboard page, against the same figures computed by raw SQL over the rows without the
// summaries (the baseline, in the same run), and the enrolment report streamed whole as CSV with its memory.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { apiTokens, users } from '../db/schema.js';
import { hashToken } from '../services/credentials.js';
import { generateHistory } from '../scripts/generate-history.js';
import type { BenchMetric } from './run.js';
import { startStack } from './stack.js';

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

export default async function run(): Promise<BenchMetric[]> {
  const businessCount = Number(process.env.BENCH_BUSINESSES ?? 100_000);
  const enrolmentCount = Number(process.env.BENCH_ENROLMENTS ?? 1_000_000);
  const year = new Date().getUTCFullYear();
  const stack = await startStack({ temporal: false });
  try {
    const { database, app, kalselId } = stack;
    const generating = performance.now();
    await generateHistory(database, { businesses: businessCount, enrolments: enrolmentCount, year });
    const generatedSeconds = (performance.now() - generating) / 1000;
    console.log(
      `generated ${businessCount} businesses, ${enrolmentCount} enrolments in ${generatedSeconds.toFixed(0)} s`,
    );

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

    // One programme year's whole enrolment list as CSV: rows per second, and how far the heap grew while it streamed.
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 50);
    const exporting = performance.now();
    const report = await app.inject({
      method: 'GET',
      url: `/api/v1/reports/enrolments?year=${year}&programmeKey=halal-regular`,
      headers: bearer,
      payloadAsStream: true,
    });
    let lines = 0;
    for await (const chunk of report.stream()) lines += (chunk as Buffer).toString().split('\r\n').length - 1;
    clearInterval(sampler);
    const exportSeconds = (performance.now() - exporting) / 1000;

    return [
      { metric: 'businesses', value: businessCount, unit: 'rows', goal: 100_000, better: 'higher' },
      { metric: 'enrolments', value: enrolmentCount, unit: 'rows', goal: 1_000_000, better: 'higher' },
      {
        metric: 'generate businesses and enrolments with step histories',
        value: generatedSeconds,
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
      { metric: 'enrolment report CSV rows', value: lines - 1, unit: 'rows', goal: 1, better: 'higher' },
      {
        metric: 'enrolment report CSV rate',
        value: (lines - 1) / exportSeconds,
        unit: 'rows/s',
        goal: 10_000,
        better: 'higher',
      },
      {
        metric: 'heap growth while streaming it',
        value: (heapPeak - heapBefore) / 2 ** 20,
        unit: 'MiB',
        goal: 100,
        better: 'lower',
      },
    ];
  } finally {
    await stack.stop();
  }
}
