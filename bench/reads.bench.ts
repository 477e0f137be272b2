// Read latency under load, measured from outside: autocannon (its own process, so it does not share the API's event
// loop) at 100 connections against `GET /enrolments/{id}`, `GET /enrolments` and `GET /businesses` of the API as
// `npm start` builds it (its logger, one line per request, written to a file instead of stdout; officers' bearer tokens),
// and against a Fastify hello world listening in the same process as the API, in the same run. Each figure is a p99
// divided by the hello world's p99. Beside each it prints the API process's CPU per request, which depends far less on
// what else the machine runs than a latency does.
//
// Two clients: a realistic one, which sends `Accept-Encoding: gzip, deflate, br` as browsers, fetch, axios,
// python-requests and the mobile stacks do (the goal's figure), and a plain one that sends none (the figure until
// session 6). Each is paired with a hello world loaded with the same headers.
import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Fastify from 'fastify';
import { halalSelfDeclare } from '../domain/templates/index.js';
import type { BenchMetric } from './run.js';
import { adminToken, insertBusinesses, officers, startStack } from './stack.js';

const autocannonCli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const connections = 100;
const seconds = 8;
const goal = 3;

interface AutocannonResult {
  latency: { p99: number };
  requests: { average: number; total: number };
  throughput: { total: number };
  non2xx: number;
  errors: number;
  /** autocannon's own CPU time (user + system), in µs: what reading the answers cost the load generator. */
  cpuMicros: number;
}

/** autocannon's CLI, in its own process, under a shell whose `times` reports the CPU it used; its JSON summary. */
function autocannon(url: string, headers: Record<string, string>): Promise<AutocannonResult> {
  const args = ['-c', String(connections), '-d', String(seconds), '-j'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', '"$@"; times', 'bash', process.execPath, autocannonCli, ...args, url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const lines = out.trim().split('\n');
        // `times`: the shell's own user and system time, then its children's (autocannon's), as "0m1.234s 0m0.567s".
        const children = lines.pop()!.match(/(\d+)m([\d.]+)s/g)!;
        lines.pop();
        const cpuMicros = children
          .map((t) => t.match(/(\d+)m([\d.]+)s/)!)
          .reduce((sum, [, m, sec]) => sum + (Number(m) * 60 + Number(sec)) * 1e6, 0);
        resolve({ ...(JSON.parse(lines.join('\n')) as Omit<AutocannonResult, 'cpuMicros'>), cpuMicros });
      } catch (err) {
        reject(new Error(`autocannon gave no JSON: ${out.slice(0, 500)}`, { cause: err }));
      }
    });
  });
}

/** BENCH_READS_PROFILE=DIR: a CPU profile of the API process during each route's load (not the hello world's). */
const profileDir = process.env.BENCH_READS_PROFILE;

const clients = {
  'gzip-accepting client': { 'accept-encoding': 'gzip, deflate, br' },
  'plain client': {},
} satisfies Record<string, Record<string, string>>;
type ClientKind = keyof typeof clients;

/** The request lines in the log, read line by line: a full run logs some 2 million, past what one string may hold. */
async function logLines(file: string): Promise<number> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line.includes('"msg":"request"')) n++;
  }
  return n;
}

export default async function readsBench(): Promise<BenchMetric[]> {
  const logDir = mkdtempSync(join(tmpdir(), 'pendamping-bench-log-'));
  const logFile = join(logDir, 'api.log');
  const stack = await startStack({ logFile });
  const { app, database, kalselId } = stack;
  const hello = Fastify({ logger: false });
  hello.get('/', async () => ({ hello: 'world' }));
  try {
    const [officer] = await officers(database, kalselId, 1);
    const admin = { authorization: `Bearer ${adminToken}` };
    const programmeKey = halalSelfDeclare.key;
    const businesses = await insertBusinesses(database, kalselId, 200);
    await app.inject({
      method: 'POST',
      url: '/api/v1/quotas',
      headers: admin,
      payload: { programmeKey, year: 2030, placesLimit: 1000, officeId: kalselId },
    });
    // One bulk request: one-by-one enrolment is rate-limited per principal.
    const cohort = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/cohorts',
        headers: admin,
        payload: { name: 'Bench reads', programmeKey, year: 2030, officeId: kalselId },
      })
    ).json();
    const bulk = await app.inject({
      method: 'POST',
      url: `/api/v1/cohorts/${cohort.id}/enrolments`,
      headers: admin,
      payload: { businessIds: businesses.map((b) => b.id) },
    });
    if (bulk.statusCode !== 200) throw new Error(`bulk enrolment failed: ${bulk.body}`);
    const [newest] = (await app.inject({ url: '/api/v1/enrolments?limit=1', headers: officer! })).json().items;
    const enrolmentId: string = newest.id;

    const api = await app.listen({ host: '127.0.0.1', port: 0 });
    const helloAt = await hello.listen({ host: '127.0.0.1', port: 0 });
    const auth = officer!.authorization;
    const paths = {
      'GET /enrolments/{id}': `/api/v1/enrolments/${enrolmentId}`,
      'GET /enrolments': '/api/v1/enrolments?limit=50',
      'GET /businesses': '/api/v1/businesses?limit=50',
    };
    const routes = Object.fromEntries(Object.entries(paths).map(([name, path]) => [name, api + path])) as typeof paths;
    // What each client is sent (the answer's encoding and size), printed before anything is measured.
    for (const [name, url] of Object.entries(paths)) {
      for (const [kind, headers] of Object.entries(clients)) {
        const res = await app.inject({ url, headers: { authorization: auth, ...headers } });
        console.log(`${name}, ${kind}: ${res.headers['content-encoding'] ?? 'plain'}, ${res.rawPayload.length} bytes`);
      }
    }
    // Warm both up (JIT, pools, the token cache) before anything is measured.
    await autocannon(`${helloAt}/`, clients['gzip-accepting client']);
    await autocannon(`${api}/api/v1/enrolments/${enrolmentId}`, { authorization: auth });

    // Each route is measured right after a hello world of its own (a pair), in rounds whose order rotates, so a pair's
    // ratio compares two loads of the same moment and no route is always the one measured last. A route's figure is
    // the median of its rounds' ratios. Each client kind gets its own pairs, the realistic one first in odd rounds.
    const rounds = Number(process.env.BENCH_READS_ROUNDS ?? 3);
    const names = Object.keys(routes) as (keyof typeof routes)[];
    const kinds = Object.keys(clients) as ClientKind[];
    const ratios = new Map(names.flatMap((n) => kinds.map((k) => [`${n}, ${k}`, [] as number[]])));
    const absolute: string[] = [];
    // pino writes without waiting: what is in flight is flushed before each count, so the warm-up's lines are not
    // counted as the measured requests'.
    const flushed = () =>
      new Promise<void>((resolve, reject) =>
        (app.log as unknown as { flush(cb: (err?: Error) => void): void }).flush((err) =>
          err ? reject(err) : resolve(),
        ),
      );
    await flushed();
    const loggedBefore = await logLines(logFile);
    let served = 0;
    const profiler = profileDir ? new Session() : null;
    if (profiler) {
      mkdirSync(profileDir!, { recursive: true });
      profiler.connect();
      await profiler.post('Profiler.enable');
    }
    for (let round = 0; round < rounds; round++) {
      for (const name of names.map((_, i) => names[(i + round) % names.length]!)) {
        for (const kind of round % 2 === 0 ? kinds : [...kinds].reverse()) {
          const helloCpuBefore = process.cpuUsage();
          const baseline = await autocannon(`${helloAt}/`, clients[kind]);
          const helloCpu = process.cpuUsage(helloCpuBefore);
          await profiler?.post('Profiler.start');
          const cpuBefore = process.cpuUsage();
          const result = await autocannon(routes[name], { authorization: auth, ...clients[kind] });
          const cpu = process.cpuUsage(cpuBefore);
          if (profiler) {
            const { profile } = await profiler.post('Profiler.stop');
            const file = `${round + 1}-${name}-${kind}`.replace(/[^\w-]+/g, '_');
            writeFileSync(join(profileDir!, `${file}.cpuprofile`), JSON.stringify(profile));
          }
          served += result.requests.total;
          if (result.non2xx > 0 || result.errors > 0) {
            throw new Error(`${name}: ${result.non2xx} answers other than 2xx, ${result.errors} errors`);
          }
          const ratio = result.latency.p99 / baseline.latency.p99;
          ratios.get(`${name}, ${kind}`)!.push(ratio);
          absolute.push(
            `round ${round + 1} ${name}, ${kind}: p99 ${result.latency.p99} ms, ` +
              `${Math.round(result.requests.average)} req/s, ` +
              `${Math.round(result.throughput.total / result.requests.total)} bytes read per answer, ` +
              `API CPU ${((cpu.user + cpu.system) / result.requests.total).toFixed(0)} µs per request, ` +
              `autocannon's ${(result.cpuMicros / result.requests.total).toFixed(0)} µs; ` +
              `hello world before it p99 ${baseline.latency.p99} ms, ${Math.round(baseline.requests.average)} req/s, ` +
              `${((helloCpu.user + helloCpu.system) / baseline.requests.total).toFixed(0)} µs + ` +
              `${(baseline.cpuMicros / baseline.requests.total).toFixed(0)} µs; ` +
              `${ratio.toFixed(2)} ×`,
          );
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // The goal's figures are the realistic client's; the plain client's follow, for comparison with earlier sessions.
    const metrics: BenchMetric[] = kinds.flatMap((kind) =>
      names.map((name) => ({
        metric: `${name}, ${kind}: p99 / hello world p99 (median of ${rounds} paired rounds)`,
        value: median(ratios.get(`${name}, ${kind}`)!),
        unit: 'ratio',
        goal,
        better: 'lower' as const,
      })),
    );
    await flushed();
    absolute.push(`request log: ${(await logLines(logFile)) - loggedBefore} lines for ${served} requests answered`);
    console.log(absolute.join('\n'));
    return metrics;
  } finally {
    await hello.close();
    await stack.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
}
