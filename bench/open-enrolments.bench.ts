// 10,000 open enrolments waiting on their timers in one worker process (`npm run worker`): its resident memory, and how
// late their reminders are recorded after the instant each was due. Baselines from the same run: the same worker's
// memory while idle, and the lateness of bare Temporal timers (a workflow that only sleeps) on the same dev server.
//
// Real time, not time skipping: lateness is what is measured. A template's notices fall at office-hour starts of
// working days, days away; so each case starts as a run that continued as new does (its carried state), in the middle
// of its ikrar step with reminders due at two "mornings" a few minutes away and the next notice days later, which
// keeps it open. The first morning comes once every case is started and waiting, its reminders spread as the engine
// spreads them (domain/step-timing.ts: each case's own offset within a quarter hour), which is the figure of the goal.
// The second morning spreads the same reminders over a third of that window: three times the engine's pace, a stress
// figure stated beside it, not the goal's.
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { createInterface } from 'node:readline';
import { enrolments, notifications, programmes, programmeVersions, stepInstances } from '../db/schema.js';
import { halalSelfDeclare } from '../domain/templates/index.js';
import { enrolmentWorkflowType, type EnrolmentInput } from '../workflows/messages.js';
import { reminderOffset, reminderSpreadMs } from '../domain/step-timing.js';
import type { BenchMetric } from './run.js';
import { insertBusinesses, startStack, timed } from './stack.js';

const open = Number(process.env.BENCH_OPEN_ENROLMENTS ?? 10_000);
/** Workflow starts per second: paced, so that runs on a quiet and a busy machine start their cases alike. */
const startRate = Number(process.env.BENCH_START_RATE ?? 100);
/**
 * The window the first morning's reminders are spread over: the engine's own quarter hour (a smaller run keeps
 * cases ÷ window, so the pace, the same). The second morning's window is a third of it: three times the pace.
 */
const spreadMs = Number(process.env.BENCH_REMINDER_SPREAD_MS ?? reminderSpreadMs);
/** BENCH_STRESS=0 leaves out the second morning. */
const stress = process.env.BENCH_STRESS !== '0';
const stressSpreadMs = spreadMs / 3;
/** Where the worker writes its CPU profiles (`--cpu-prof`, one a thread), when set. */
const profileDir = process.env.BENCH_WORKER_PROFILE;
const bareTimers = 200;
const template = halalSelfDeclare;
const stepKey = 'ikrar';
const taskQueue = 'bench-open-enrolments';
const here = dirname(fileURLToPath(import.meta.url));

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
/** CPU time the process has used (user + system), in ms: what a reminder costs the worker whatever the machine's load. */
const cpuMs = (pid: number) => {
  // Fields 14 and 15 of /proc/PID/stat, counted after the command name (which may hold spaces) in clock ticks of 10 ms.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

export default async function bench(): Promise<BenchMetric[]> {
  const stack = await startStack();
  const { database, env } = stack;
  const { db } = database;
  const t0 = Date.now();
  const log = (line: string) => console.log(`[open-enrolments +${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}`);

  // The production worker process, on its own, started with the options of `npm run worker` (docker-compose.yml's).
  const [, ...workerArgs] = (
    JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts.worker!.split(' ');
  const profileArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profileArgs, ...workerArgs], {
    env: {
      ...process.env,
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: 'warn',
      // As the Dockerfile sets it.
      MALLOC_ARENA_MAX: '2',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => line.includes('polling') && resolve());
    child.once('exit', (code) => reject(new Error(`the worker exited (${code})`)));
  });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(child.pid!))), 250);

  try {
    // Baseline 1: the worker's memory once started, before it holds any workflow.
    const idleRss = rssMiB(child.pid!);
    log(`worker idle RSS ${idleRss.toFixed(0)} MiB`);

    // Baseline 2: bare timers, on a worker of their own in this process, while nothing else runs.
    const bundle = await bundleWorkflowCode({
      workflowsPath: join(here, 'bare-timer.workflow.ts'),
      logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never,
    });
    const bareWorker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bench-bare-timers',
      workflowBundle: bundle,
    });
    const bareRunning = bareWorker.run();
    const bareAt = Date.now() + 5_000;
    const bareHandles = await Promise.all(
      Array.from({ length: bareTimers }, (_, i) =>
        env.client.workflow.start('bareTimerWorkflow', {
          taskQueue: 'bench-bare-timers',
          workflowId: `bare-${i}-${randomUUID()}`,
          // Spread over ten seconds, as the reminders are spread below.
          args: [bareAt + Math.floor((i / bareTimers) * 10_000)],
        }),
      ),
    );
    const bareLateness = await Promise.all(bareHandles.map((h) => h.result() as Promise<number>));
    bareWorker.shutdown();
    await bareRunning;
    log(`bare timers: p50 ${percentile(bareLateness, 50)} ms, p99 ${percentile(bareLateness, 99)} ms`);

    // The cases: a business, an active enrolment and its open ikrar step each, written in batches.
    await db
      .insert(programmes)
      .values({ key: template.key, nameId: template.name.id, nameEn: template.name.en })
      .onConflictDoNothing();
    await db
      .insert(programmeVersions)
      .values({ programmeKey: template.key, version: template.version, template })
      .onConflictDoNothing();
    const businesses = await insertBusinesses(database, stack.kalselId, open);
    const openedAt = Date.now();
    const dueAt = openedAt + 7 * 86_400_000;
    const cases: { id: string; workflowId: string }[] = [];
    for (let i = 0; i < open; i += 1000) {
      const rows = await db
        .insert(enrolments)
        .values(
          businesses.slice(i, i + 1000).map((b) => ({
            workflowId: `bench-open-${b.nib}`,
            businessId: b.id,
            officeId: stack.kalselId,
            programmeKey: template.key,
            programmeVersion: template.version,
            year: 2026,
            status: 'active' as const,
            currentStep: stepKey,
            activatedAt: new Date(openedAt),
          })),
        )
        .returning({ id: enrolments.id, workflowId: enrolments.workflowId });
      await db.insert(stepInstances).values(
        rows.map((r) => ({
          enrolmentId: r.id,
          stepKey,
          visit: 1,
          status: 'open' as const,
          openedAt: new Date(openedAt),
          dueAt: new Date(dueAt),
        })),
      );
      cases.push(...rows);
    }
    log(`${open} cases written`);

    // The first morning: a minute after the starts are due to end, so that every case waits on its timer before the
    // first reminder. Each case's reminder is the morning plus its own offset, as the engine spreads them. The second
    // morning, a minute after the first's window, spreads the same cases' next reminders over a third of it.
    const startsFrom = Date.now();
    const mornings = [{ name: 'engine pace', at: startsFrom + (open / startRate) * 1000 + 60_000, spreadMs }];
    if (stress)
      mornings.push({ name: 'stress, 3 × pace', at: mornings[0]!.at + spreadMs + 60_000, spreadMs: stressSpreadMs });
    const reminderAt = mornings.map((m) => cases.map((c) => m.at + reminderOffset(c.id, m.spreadMs)));
    const firstReminder = Math.min(...reminderAt[0]!);
    const startSeconds = await timed(open, 50, async (i) => {
      // Paced: start i waits for its slot.
      const slot = startsFrom + (i / startRate) * 1000 - Date.now();
      if (slot > 0) await new Promise((resolve) => setTimeout(resolve, slot));
      const c = cases[i]!;
      const input: EnrolmentInput = {
        enrolmentId: c.id,
        template,
        carried: {
          state: {
            enrolmentId: c.id,
            programmeKey: template.key,
            programmeVersion: template.version,
            phase: 'active',
            current: {
              stepKey,
              visit: 1,
              openedAt,
              dueAt,
              closedAt: null,
              outcome: null,
              actorUserId: null,
              pausedAt: null,
              pendingNotices: [
                ...reminderAt.map((at) => ({ kind: 'reminder' as const, at: at[i]! })),
                { kind: 'reminder', at: dueAt - 86_400_000 },
              ],
            },
            history: [
              {
                stepKey: 'eligibility_check',
                visit: 1,
                openedAt,
                dueAt: null,
                closedAt: openedAt,
                outcome: 'eligible',
                actorUserId: null,
              },
            ],
            visits: { eligibility_check: 1, ikrar: 1 },
            inFlight: null,
            stuck: null,
          },
          timingRevision: 0,
          noticeIndex: 0,
          calendarChanged: false,
          appliedActions: [],
        },
      };
      await env.client.workflow.start(enrolmentWorkflowType, { workflowId: c.workflowId, taskQueue, args: [input] });
    });
    const heldAtOnce = Date.now() < firstReminder;
    log(
      `${open} workflows started in ${startSeconds.toFixed(0)} s; first reminder in ${((firstReminder - Date.now()) / 1000).toFixed(0)} s`,
    );
    if (!heldAtOnce) log('the starts overran the morning: not every case was waiting before the first reminder');
    // The memory of all of them waiting: the highest sample up to the first reminder.
    let waitingRss = rssMiB(child.pid!);
    while (Date.now() < firstReminder) {
      waitingRss = Math.max(waitingRss, rssMiB(child.pid!));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    // Each morning: wait for every reminder to be recorded (or give up two minutes after the last was due).
    const morningFigures: { name: string; lateness: number[]; cpuMs: number; perSecond: number }[] = [];
    for (const [m, morning] of mornings.entries()) {
      const from = new Date(morning.at);
      const until = new Date(morning.at + morning.spreadMs);
      const ofMorning = and(
        eq(notifications.kind, 'reminder'),
        eq(notifications.stepKey, stepKey),
        gte(notifications.scheduledFor, from),
        lt(notifications.scheduledFor, until),
      );
      const cpuBefore = cpuMs(child.pid!);
      const deadline = Math.max(...reminderAt[m]!) + 120_000;
      for (;;) {
        const [row] = await db
          .select({ n: sql<number>`count(*)::int` })
          .from(notifications)
          .where(ofMorning);
        if (row!.n >= open || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      const cpu = cpuMs(child.pid!) - cpuBefore;
      const rows = await db
        .select({ at: notifications.scheduledFor, recorded: notifications.createdAt })
        .from(notifications)
        .where(ofMorning);
      const lateness = rows.map((r) => r.recorded.getTime() - r.at.getTime());
      morningFigures.push({ name: morning.name, lateness, cpuMs: cpu, perSecond: open / (morning.spreadMs / 1000) });
      log(
        `${morning.name} (${(open / (morning.spreadMs / 1000)).toFixed(0)}/s): ${rows.length} of ${open} reminders recorded; lateness p50 ${percentile(lateness, 50)} ms, p99 ${percentile(lateness, 99)} ms, max ${Math.max(...lateness)} ms; worker CPU per reminder ${(cpu / rows.length).toFixed(1)} ms; load ${loadavg()[0]!.toFixed(1)}`,
      );
      if (m + 1 < mornings.length) {
        while (Date.now() < Math.min(...reminderAt[m + 1]!)) await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    log(
      `worker RSS idle ${idleRss.toFixed(0)} MiB, waiting ${waitingRss.toFixed(0)} MiB, peak ${peakRss.toFixed(0)} MiB`,
    );

    const bareP99 = percentile(bareLateness, 99);
    const [engine] = morningFigures;
    const lateness = engine!.lateness;
    return [
      {
        metric: 'open enrolments waiting in one worker',
        value: heldAtOnce ? open : 0,
        unit: 'cases',
        goal: 10_000,
        better: 'higher',
      },
      { metric: 'reminders recorded / due', value: lateness.length / open, unit: 'ratio', goal: 1, better: 'higher' },
      { metric: 'worker RSS, peak', value: peakRss, unit: 'MiB', goal: 1024, better: 'lower' },
      { metric: 'worker RSS, idle (baseline)', value: idleRss, unit: 'MiB', goal: 1024, better: 'lower' },
      {
        metric: 'worker RSS per open enrolment, above idle',
        value: ((waitingRss - idleRss) * 1024) / open,
        unit: 'KiB',
        goal: 100,
        better: 'lower',
      },
      { metric: 'reminder lateness p50', value: percentile(lateness, 50), unit: 'ms', goal: 1000, better: 'lower' },
      { metric: 'reminder lateness p99', value: percentile(lateness, 99), unit: 'ms', goal: 1000, better: 'lower' },
      { metric: 'reminder lateness max', value: Math.max(...lateness), unit: 'ms', goal: 1000, better: 'lower' },
      { metric: 'bare timer lateness p99 (baseline)', value: bareP99, unit: 'ms', goal: 1000, better: 'lower' },
      {
        metric: 'reminder p99 − bare timer p99',
        value: percentile(lateness, 99) - bareP99,
        unit: 'ms',
        goal: 1000,
        better: 'lower',
      },
      {
        metric: 'worker CPU per reminder recorded',
        value: engine!.cpuMs / lateness.length,
        unit: 'ms',
        // What one core spends on 50 reminders a second, the pace of the first run.
        goal: 20,
        better: 'lower',
      },
      { metric: 'workflow starts per second', value: open / startSeconds, unit: '/s', goal: 0, better: 'higher' },
      { metric: 'reminders due per second', value: engine!.perSecond, unit: '/s', goal: 0, better: 'higher' },
      // The stress figures: stated, not the goal's (their goal column is the same 1 s, for comparison).
      ...morningFigures.slice(1).flatMap((f) => [
        {
          metric: `${f.name}: reminders due per second`,
          value: f.perSecond,
          unit: '/s',
          goal: 0,
          better: 'higher' as const,
        },
        {
          metric: `${f.name}: reminders recorded / due`,
          value: f.lateness.length / open,
          unit: 'ratio',
          goal: 1,
          better: 'higher' as const,
        },
        {
          metric: `${f.name}: lateness p50`,
          value: percentile(f.lateness, 50),
          unit: 'ms',
          goal: 1000,
          better: 'lower' as const,
        },
        {
          metric: `${f.name}: lateness p99`,
          value: percentile(f.lateness, 99),
          unit: 'ms',
          goal: 1000,
          better: 'lower' as const,
        },
        {
          metric: `${f.name}: lateness max`,
          value: Math.max(...f.lateness),
          unit: 'ms',
          goal: 1000,
          better: 'lower' as const,
        },
        {
          metric: `${f.name}: worker CPU per reminder`,
          value: f.cpuMs / f.lateness.length,
          unit: 'ms',
          goal: 20,
          better: 'lower' as const,
        },
      ]),
    ];
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await stack.stop();
  }
}
