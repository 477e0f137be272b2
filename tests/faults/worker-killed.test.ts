// The worker process (`npm run worker`, infra/worker-main.ts) killed with SIGKILL at random points, and started again
// each time, while 100 enrolments run their whole self-declare pipeline, enrolment to certificate: every step opens
// once and closes once, every action leaves one audit row, every notice is recorded once for each of its recipients,
// and every case ends with one certificate.
//
// On the dev server, in real time, not on the time-skipping server: a workflow task held by a killed worker leaks the
// test server's time-skipping lock when it times out (sdk-java #1138, #2246), and from then on its clock only runs at
// wall-clock speed, so a skip of weeks never ends. Tried and seen here: after the first kill, `env.sleep` over a
// step's reminders hung with no workflow task pending. In real time the reminders, overdue notices and escalations of
// these steps fall days after the run; they are checked to be exactly those due before each step closed (none), and
// their recording under faults is left to the in-process tests on the time-skipping server (halal-regular).
// A kill costs about ten seconds (the dead worker's sticky queue and workflow task time out), so the file takes two to
// three minutes: `npm run test:faults` runs it, `npm test` does not (vitest.config.ts).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import { auditLog, certificates, enrolments, notifications, stepInstances } from '../../db/schema.js';
import { spreadReminders, stepNotices } from '../../domain/step-timing.js';
import { halalSelfDeclare } from '../../domain/templates/index.js';
import { audienceOf, type NoticeKind } from '../../services/notifications/record.js';
import { completeStepUpdate, enrolmentWorkflowType, type EnrolmentInput } from '../../workflows/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createUser, kalselOffice } from '../helpers/fixtures.js';
import { createDevServerEnv } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const taskQueue = 'worker-killed';
const cases = 100;
const template = halalSelfDeclare;
/** The self-declare happy path, enrolment to certificate. */
const path: Array<[step: string, outcome: string]> = [
  ['eligibility_check', 'eligible'],
  ['ikrar', 'pledged'],
  ['documents_upload', 'uploaded'],
  ['choose_pph', 'chosen'],
  ['pph_verification', 'valid'],
  ['bpjph_check', 'sttd_issued'],
  ['komite_fatwa', 'halal'],
  ['certificate_issuance', 'issued'],
];
const stepOf = (key: string) => template.steps.find((s) => s.key === key)!;

/** One worker process after another: each is killed once the records have grown by a random amount since it started. */
function workerProcesses(env: Record<string, string>, progress: () => Promise<number>) {
  let child: ChildProcess | null = null;
  let stopping = false;
  const kills: number[] = [];
  const start = () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'infra/worker-main.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const polling = new Promise<void>((resolve, reject) => {
      createInterface({ input: proc.stdout! }).on('line', (line) => line.includes('polling') && resolve());
      proc.once('exit', (code, signal) => reject(new Error(`the worker exited before polling (${code ?? signal})`)));
    });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    child = proc;
    return { proc, polling, exited };
  };
  const loop = (async () => {
    while (!stopping) {
      const { proc, polling, exited } = start();
      await polling;
      const from = await progress();
      // The run writes about 4,400 rows (steps opened and closed, notifications): a kill every 400 to 1,100 of them
      // makes three to ten kills, landing in openings, notices and actions alike.
      const after = randomInt(400, 1_100);
      const reached = await waitFor(async () => stopping || (await progress()) >= from + after, {
        what: `${after} more records before the next kill`,
        timeoutMs: 120_000,
        intervalMs: 20,
      });
      if (reached && !stopping) {
        proc.kill('SIGKILL');
        kills.push(from + after);
        await exited;
      }
    }
  })();
  return {
    kills,
    /** Stops killing and lets the last worker finish its work. */
    async stop() {
      stopping = true;
      await loop;
      child?.kill('SIGTERM');
      if (child && child.exitCode === null && child.signalCode === null)
        await new Promise((resolve) => child!.once('exit', resolve));
    },
  };
}

describe('the worker killed with SIGKILL again and again', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createDevServerEnv()]);
  });
  afterAll(async () => {
    await Promise.all([database.drop(), env.teardown()]);
  });

  it(
    'loses and doubles nothing: steps, audit rows, notifications and certificates are exact',
    { timeout: 300_000 },
    async () => {
      const { db } = database;
      const office = await kalselOffice(db);
      const officer = await createUser(db, 'officer', office.id);
      await createUser(db, 'manager', office.id);
      const enrolled = [];
      for (let i = 0; i < cases; i++) {
        const business = await createBusiness(db, office.id);
        enrolled.push(await createActiveEnrolment(db, template, business.id, office.id));
      }
      const ids = enrolled.map((e) => e.id);
      const cal = await loadOfficeCalendar(db, office.id, await env.currentTimeMs());

      const progress = async () => {
        const [row] = await database.sql<{ n: number }[]>`
        select (select count(*) from step_instances where completed_at is not null)
             + (select count(*) from step_instances)
             + (select count(*) from notifications) as n`;
        return Number(row!.n);
      };
      const workers = workerProcesses(
        {
          DATABASE_URL: database.url,
          TEMPORAL_ADDRESS: env.address,
          TEMPORAL_TASK_QUEUE: taskQueue,
          WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
          LOG_LEVEL: 'warn',
        },
        progress,
      );

      try {
        await Promise.all(
          enrolled.map((e) =>
            env.client.workflow.start(enrolmentWorkflowType, {
              workflowId: e.workflowId,
              taskQueue,
              args: [{ enrolmentId: e.id, template } satisfies EnrolmentInput],
            }),
          ),
        );
        for (const [stepKey, outcome] of path) {
          const step = stepOf(stepKey);
          await waitFor(
            async () => {
              const rows = await db
                .select()
                .from(stepInstances)
                .where(and(inArray(stepInstances.enrolmentId, ids), eq(stepInstances.stepKey, stepKey)));
              return rows.length === cases ? rows : null;
            },
            { what: `every case to open ${stepKey}`, timeoutMs: 60_000 },
          );
          await Promise.all(
            enrolled.map((e, i) =>
              // An action whose answer was lost with the worker is sent again under the same update ID, as the API does.
              waitFor(
                () =>
                  env.client.workflow.getHandle(e.workflowId).executeUpdate(completeStepUpdate, {
                    updateId: `complete-${e.id}-${stepKey}`,
                    args: [
                      {
                        actor: { userId: officer.id, role: 'officer' },
                        stepKey,
                        outcome,
                        documents: step.checklist.map((c) => c.key),
                        ...(step.recordsCertificate
                          ? {
                              certificate: {
                                number: `ID631100001234${1000 + i}`,
                                issuedOn: '2027-01-15',
                                scope: 'Amplang',
                              },
                            }
                          : {}),
                      },
                    ],
                  }),
                { what: `${stepKey} of ${e.workflowId} to be completed`, timeoutMs: 60_000, intervalMs: 200 },
              ),
            ),
          );
        }
        const results = await Promise.all(enrolled.map((e) => env.client.workflow.getHandle(e.workflowId).result()));
        expect(results.every((r) => r.phase === 'completed')).toBe(true);
      } finally {
        await workers.stop();
      }
      expect(workers.kills.length, 'the worker was killed a few times').toBeGreaterThanOrEqual(3);

      // Every case completed, each step once, in order, with one audit row per action.
      const finished = await db.select().from(enrolments).where(inArray(enrolments.id, ids));
      expect(finished.filter((e) => e.status === 'completed')).toHaveLength(cases);
      const steps = await db.select().from(stepInstances).where(inArray(stepInstances.enrolmentId, ids));
      expect(steps).toHaveLength(cases * path.length);
      expect(steps.every((s) => s.visit === 1 && s.status === 'done' && s.completedAt !== null)).toBe(true);
      for (const id of ids) {
        const own = steps
          .filter((s) => s.enrolmentId === id)
          .sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
        expect(own.map((s) => [s.stepKey, s.outcome])).toEqual(path);
      }
      const audits = await db
        .select({ entityId: auditLog.entityId, actionId: auditLog.actionId, action: auditLog.action })
        .from(auditLog)
        .where(and(inArray(auditLog.entityId, ids), isNotNull(auditLog.actionId)));
      expect(audits).toHaveLength(cases * path.length);
      expect(audits.every((a) => a.action === 'enrolment.step.complete')).toBe(true);
      const certs = await db.select().from(certificates).where(inArray(certificates.enrolmentId, ids));
      expect(certs).toHaveLength(cases);
      expect(new Set(certs.map((c) => c.enrolmentId)).size).toBe(cases);

      // The notifications: per case and step, exactly the notices its instants and events call for, each once per
      // recipient (the business's one inbox, the office's one officer, its one manager).
      const recorded = await db
        .select({
          enrolmentId: notifications.enrolmentId,
          kind: notifications.kind,
          stepKey: notifications.stepKey,
          at: notifications.scheduledFor,
          role: notifications.recipientRole,
        })
        .from(notifications)
        .where(inArray(notifications.enrolmentId, ids));
      const key = (n: { kind: string; stepKey: string | null; at: number | null; role: string }) =>
        `${n.stepKey ?? '-'} ${n.kind} ${n.at ?? ''} ${n.role}`;
      for (const id of ids) {
        // The enrolment's own milestones, then each step's.
        const expected = (['certificate_issued', 'completed'] as const).flatMap((kind) =>
          audienceOf(kind, null).map((role) => key({ kind, stepKey: null, at: null, role })),
        );
        for (const row of steps.filter((s) => s.enrolmentId === id)) {
          const step = stepOf(row.stepKey);
          const each = (kind: NoticeKind, at: number | null) =>
            audienceOf(kind, step).forEach((role) => expected.push(key({ kind, stepKey: step.key, at, role })));
          each('step_opened', null);
          each('step_completed', null);
          for (const n of spreadReminders(stepNotices(step, row.dueAt!.getTime(), cal), id))
            if (n.at > row.openedAt.getTime() && n.at < row.completedAt!.getTime()) each(n.kind, n.at);
        }
        const timedKinds = new Set(['reminder', 'overdue', 'escalation']);
        const got = recorded
          .filter((n) => n.enrolmentId === id)
          .map((n) => key({ ...n, at: timedKinds.has(n.kind) ? n.at.getTime() : null }));
        expect(got.sort(), `notifications of ${id} (kills at ${workers.kills.join(', ')})`).toEqual(expected.sort());
      }
    },
  );
});
