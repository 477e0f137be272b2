// The pages under load: p95 of an officer's work queue and of a case page with 83,000 businesses and 20,000
// enrolments in the office, at 20 concurrent users, against a static page served by the same Fastify in the same run.
// 20 of the enrolments are real (started through the API, their workflows running on the dev server), and the case
// page is measured on them, with its live workflow query; the other 19,980 are projection rows only (an enrolment and
// its open step, due dates spread from a week overdue to two months ahead), which is all the queue reads.
import compress from '@fastify/compress';
import { NativeConnection } from '@temporalio/worker';
import { and, count, eq, inArray } from 'drizzle-orm';
import { pageCompression } from '../api/pages/index.js';
import { cohorts, enrolments, quotas, stepInstances } from '../db/schema.js';
import { halalRegular } from '../domain/templates/index.js';
import { createWorker } from '../infra/worker.js';
import type { BenchMetric } from './run.js';
import { insertBusinesses, officers, startStack } from './stack.js';

const businessCount = 83_000;
const enrolmentCount = 20_000;
const liveCases = 20;
const users = 20;
const seconds = 10;

/** A static page of the size of a rendered one, from the same Fastify: the floor the pages are compared with. */
const staticPage = `<!doctype html><html lang="id"><head><meta charset="utf-8"><title>pendamping</title></head><body>${'<p>Sertifikasi dan pendampingan IKM</p>'.repeat(300)}</body></html>`;

/** `users` loops requesting `path(i)` for `seconds`; every answer read to the end. Latencies in ms. */
async function load(base: string, path: (i: number) => string, cookie: string): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: users }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        const res = await fetch(`${base}${path(n++)}`, { headers: { cookie } });
        await res.text();
        if (res.status !== 200) throw new Error(`${path(n)} answered ${res.status}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)]!;

export default async function pagesBench(): Promise<BenchMetric[]> {
  const stack = await startStack();
  const { database, app } = stack;
  // Before anything else: the first inject readies the app, and a ready app takes no new route.
  // Compressed as the pages are: fetch asks for gzip, so both pay the same compression and inflation.
  await app.register(async (scope) => {
    await scope.register(compress, pageCompression);
    scope.get('/bench-static', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(staticPage),
    );
  });
  const connection = await NativeConnection.connect({ address: stack.env.address });
  const worker = await createWorker({ connection, namespace: 'default', taskQueue: stack.taskQueue, database });
  const running = worker.run();
  try {
    const all = await insertBusinesses(database, stack.kalselId, businessCount);
    const [auth] = await officers(database, stack.kalselId, 1);
    const token = auth!.authorization.replace('Bearer ', '');
    const year = new Date().getFullYear();
    await database.db
      .insert(quotas)
      .values({ programmeKey: 'halal-regular', year, officeId: stack.kalselId, placesLimit: enrolmentCount });
    const [cohort] = await database.db
      .insert(cohorts)
      .values({ officeId: stack.kalselId, programmeKey: 'halal-regular', year, name: 'Kelompok Halal Bench' })
      .returning();

    // The live cases, through the API as an officer enrols them.
    const enrolled = await app.inject({
      method: 'POST',
      url: `/api/v1/cohorts/${cohort!.id}/enrolments`,
      headers: auth!,
      payload: { businessIds: all.slice(0, liveCases).map((b) => b.id) },
    });
    if (enrolled.statusCode !== 200) throw new Error(`enrolment failed: ${enrolled.body}`);
    const live = (enrolled.json() as { enrolments: { enrolmentId: string }[] }).enrolments.map((e) => e.enrolmentId);

    // The projection of the rest, in batches.
    const steps = halalRegular.steps.filter((s) => s.actor !== 'business').map((s) => s.key);
    const now = Date.now();
    for (let i = 0; i < enrolmentCount - liveCases; i += 1000) {
      const batch = all.slice(liveCases + i, liveCases + Math.min(i + 1000, enrolmentCount - liveCases));
      const rows = await database.db
        .insert(enrolments)
        .values(
          batch.map((b, j) => ({
            workflowId: `bench-projection-${i + j}`,
            businessId: b.id,
            officeId: stack.kalselId,
            programmeKey: 'halal-regular',
            programmeVersion: halalRegular.version,
            year,
            cohortId: cohort!.id,
            status: 'active' as const,
            currentStep: steps[(i + j) % steps.length]!,
            activatedAt: new Date(now),
          })),
        )
        .returning({ id: enrolments.id, currentStep: enrolments.currentStep });
      await database.db.insert(stepInstances).values(
        rows.map((r, j) => ({
          enrolmentId: r.id,
          stepKey: r.currentStep!,
          status: 'open' as const,
          openedAt: new Date(now - 30 * 86_400_000),
          dueAt: new Date(now + (((i + j) % 67) - 7) * 86_400_000),
        })),
      );
    }
    // The live cases' first steps are open once their workflows have run the first activity.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [open] = await database.db
        .select({ n: count() })
        .from(stepInstances)
        .where(and(inArray(stepInstances.enrolmentId, live), eq(stepInstances.status, 'open')));
      if (open!.n === liveCases) break;
      if (Date.now() > deadline) throw new Error('the live cases did not open their first steps');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await database.sql`analyze`;

    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const cookie = `pdp_session=${token}`;

    const staticMs = await load(base, () => '/bench-static', cookie);
    const queueMs = await load(base, (i) => (i % 5 === 0 ? '/?page=2' : '/'), cookie);
    const caseMs = await load(base, (i) => `/enrolments/${live[i % live.length]}`, cookie);

    const staticP95 = p95(staticMs);
    const queueP95 = p95(queueMs);
    const caseP95 = p95(caseMs);
    return [
      {
        metric: `static page p95 at ${users} users (baseline)`,
        value: staticP95,
        unit: 'ms',
        goal: 100,
        better: 'lower',
      },
      {
        metric: `work queue p95 at ${users} users, ${enrolmentCount.toLocaleString('en')} enrolments, ${businessCount.toLocaleString('en')} businesses`,
        value: queueP95,
        unit: 'ms',
        goal: 1000,
        better: 'lower',
      },
      {
        metric: 'case page p95 (with its live workflow query)',
        value: caseP95,
        unit: 'ms',
        goal: 1000,
        better: 'lower',
      },
      { metric: 'work queue p95 / static p95', value: queueP95 / staticP95, unit: 'ratio', goal: 50, better: 'lower' },
      { metric: 'case page p95 / static p95', value: caseP95 / staticP95, unit: 'ratio', goal: 50, better: 'lower' },
      {
        metric: 'work queue pages served per second',
        value: queueMs.length / seconds,
        unit: 'req/s',
        goal: 20,
        better: 'higher',
      },
      {
        metric: 'case pages served per second',
        value: caseMs.length / seconds,
        unit: 'req/s',
        goal: 20,
        better: 'higher',
      },
    ];
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await stack.stop();
  }
}
