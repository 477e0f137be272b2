// 10,000 open enrolments waiting on their timers in one worker process (`npm run worker`): its resident memory, and how
// late their reminders are recorded after the instant each was due. Baselines from the same run: the same worker's
// memory while idle, and the lateness of bare Temporal timers (a workflow that only sleeps) on the same dev server.
//
// Real time, not time skipping: lateness is what is measured. A template's notices fall at office-hour starts of
// working days, days away; so each case starts as a run that continued as new does (its carried state), in the middle
// of its ikrar step with a reminder due at a "morning" a few minutes away and the next notice days later, which keeps
// it open. The morning comes once every case is started and waiting: its reminders are spread by the engine's own
// per-case offset (domain/step-timing.ts), over a window shorter than the engine's (a harder pace than production's).
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq, sql } from 'drizzle-orm';
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
/** The window the morning's reminders are spread over: a third of the engine's quarter hour, so three times its pace. */
const spreadMs = Number(process.env.BENCH_REMINDER_SPREAD_MS ?? reminderSpreadMs / 3);
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
  const child = spawn(process.execPath, workerArgs, {
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

    // The morning: a minute after the starts are due to end, so that every case waits on its timer before the first
    // reminder. Each case's reminder is the morning plus its own offset, as the engine spreads them.
    const startsFrom = Date.now();
    const morning = startsFrom + (open / startRate) * 1000 + 60_000;
    const reminderAt = cases.map((c) => morning + reminderOffset(c.id, spreadMs));
    const firstReminder = Math.min(...reminderAt);
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
                { kind: 'reminder', at: reminderAt[i]! },
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
    const cpuBeforeReminders = cpuMs(child.pid!);

    // Wait for every reminder to be recorded (or give up two minutes after the last was due).
    const recordedCount = async () => {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(notifications)
        .where(and(eq(notifications.kind, 'reminder'), eq(notifications.stepKey, stepKey)));
      return row!.n;
    };
    const deadline = Math.max(...reminderAt) + 120_000;
    for (;;) {
      const n = await recordedCount();
      if (n >= open || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const reminderCpuMs = cpuMs(child.pid!) - cpuBeforeReminders;
    const rows = await db
      .select({ at: notifications.scheduledFor, recorded: notifications.createdAt })
      .from(notifications)
      .where(and(eq(notifications.kind, 'reminder'), eq(notifications.stepKey, stepKey)));
    const lateness = rows.map((r) => r.recorded.getTime() - r.at.getTime());
    log(
      `${rows.length} of ${open} reminders recorded; lateness p50 ${percentile(lateness, 50)} ms, p99 ${percentile(lateness, 99)} ms, max ${Math.max(...lateness)} ms`,
    );
    log(`worker CPU per reminder recorded ${(reminderCpuMs / rows.length).toFixed(1)} ms`);
    log(
      `worker RSS idle ${idleRss.toFixed(0)} MiB, waiting ${waitingRss.toFixed(0)} MiB, peak ${peakRss.toFixed(0)} MiB`,
    );

    const bareP99 = percentile(bareLateness, 99);
    return [
      {
        metric: 'open enrolments waiting in one worker',
        value: heldAtOnce ? open : 0,
        unit: 'cases',
        goal: 10_000,
        better: 'higher',
      },
      { metric: 'reminders recorded / due', value: rows.length / open, unit: 'ratio', goal: 1, better: 'higher' },
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
        value: reminderCpuMs / rows.length,
        unit: 'ms',
        // What one core spends on 50 reminders a second, the pace of the first run.
        goal: 20,
        better: 'lower',
      },
      { metric: 'workflow starts per second', value: open / startSeconds, unit: '/s', goal: 0, better: 'higher' },
      { metric: 'reminders due per second', value: open / (spreadMs / 1000), unit: '/s', goal: 0, better: 'higher' },
    ];
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await stack.stop();
  }
}
