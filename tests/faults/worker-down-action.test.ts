// An action on a case while no worker runs (a deploy, a crash): the person is told within the wait that the engine did
// not answer (503, Retry-After), not left with a request that hangs; Temporal keeps the Update, and once a worker is
// back the same action sent again (same action ID, as the Idempotency-Key gives it) is answered, applied once. A case
// page and a `live=true` read meanwhile answer from the projection within their own wait, without the live state.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { auditLog } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { halalSelfDeclare } from '../../domain/templates/index.js';
import type { Principal } from '../../services/principal.js';
import { caseView } from '../../services/case-view.js';
import { actOnEnrolment, getEnrolment, liveAnswerMs } from '../../services/enrolments.js';
import { enrolmentWorkflowType, statusQuery, type EnrolmentInput } from '../../workflows/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createUser, kalselOffice } from '../helpers/fixtures.js';
import { createDevServerEnv, createTestWorker } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const taskQueue = 'worker-down-action';

describe('an action while no worker runs', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let worker: Worker | null = null;
  let running: Promise<void> | null = null;

  const startWorker = async () => {
    worker = await createTestWorker(env, { taskQueue, activities: createActivities({ database }) });
    running = worker.run();
  };
  const stopWorker = async () => {
    worker?.shutdown();
    await running;
    worker = null;
  };

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createDevServerEnv()]);
    await startWorker();
  });
  afterAll(async () => {
    await stopWorker();
    await Promise.all([database.drop(), env.teardown()]);
  });

  /** A running case whose first step is open, its officer, and the worker stopped under it. */
  async function caseWithWorkerStopped() {
    const { db } = database;
    const office = await kalselOffice(db);
    const officer = await createUser(db, 'officer', office.id);
    const business = await createBusiness(db, office.id);
    const enrolment = await createActiveEnrolment(db, halalSelfDeclare, business.id, office.id);
    const handle = await env.client.workflow.start(enrolmentWorkflowType, {
      workflowId: enrolment.workflowId,
      taskQueue,
      args: [{ enrolmentId: enrolment.id, template: halalSelfDeclare } satisfies EnrolmentInput],
    });
    await waitFor(async () => (await handle.query(statusQuery)).current?.dueAt, { what: 'the first step to open' });
    await stopWorker();
    const deps = { db, temporal: env.client, taskQueue };
    const principal: Principal = { userId: officer.id, role: 'officer', officeId: office.id, businessId: null };
    return { enrolment, deps, principal };
  }

  it('answers 503 within the wait, and the same action once a worker is back is applied once', async () => {
    const { db } = database;
    const { enrolment, deps, principal } = await caseWithWorkerStopped();
    const source = { principal, requestId: 'req-jeda' };
    const pause = { kind: 'pause' as const, reason: 'Menunggu dokumen' };
    const asked = Date.now();
    const refused = await actOnEnrolment(deps, source, enrolment.id, pause, {
      actionId: 'jeda-0001',
      answerWithinMs: 1_500,
    }).catch((err: unknown) => err);
    // The wait, not a hang: well under the 60 s a test may take, whatever the machine's load.
    expect(Date.now() - asked).toBeLessThan(15_000);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ kind: 'unavailable', extra: { retryAfterSeconds: 10 } });
    expect((refused as DomainError).detail).toMatch(/did not answer within 2 s; the action may still be applied/);

    await startWorker();
    const answered = await actOnEnrolment(deps, source, enrolment.id, pause, { actionId: 'jeda-0001' });
    expect(answered.status).toBe('paused');
    const audited = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, enrolment.id), eq(auditLog.action, 'enrolment.pause')));
    expect(audited).toHaveLength(1);
  });

  it('shows a case from the projection, without its live state, while no worker answers the query', async () => {
    const { enrolment, deps, principal } = await caseWithWorkerStopped();
    const failures: unknown[] = [];
    const asked = Date.now();
    // The page's read and the API's `live=true` read, at once, with the wait they are shipped with.
    const [page, read] = await Promise.all([
      caseView(deps, principal, enrolment.id, (err) => failures.push(err)),
      getEnrolment(deps, principal, enrolment.id, { live: true, onQueryError: (err) => failures.push(err) }),
    ]);
    const took = Date.now() - asked;
    // Temporal alone holds such a query about 30 s; the bound leaves room for a loaded machine.
    expect(took).toBeLessThan(liveAnswerMs + 15_000);
    for (const detail of [page.detail, read]) {
      expect(detail.live).toBeNull();
      expect(detail.steps.map((s) => [s.stepKey, s.status])).toEqual([['eligibility_check', 'open']]);
    }
    // Each read says why its live part is missing: its deadline, which either the client reports or the server, which
    // is passed the deadline and answers "query timed out before a worker could process it" a moment before it.
    expect(failures).toHaveLength(2);

    // With a worker back the live part returns. In one CI run, on a loaded machine, the first read after the restart
    // came back without it in well under its wait (its error was not recorded; 0 of about 40 runs here repeat it), so
    // this waits for a read that has it and names the last read's error if none comes.
    await startWorker();
    const back = await waitFor(
      async () => {
        let failure: unknown;
        const read = await getEnrolment(deps, principal, enrolment.id, {
          live: true,
          onQueryError: (err) => (failure = err),
        });
        if (failure) throw failure;
        return read.live;
      },
      { what: 'the live state once a worker is back' },
    );
    expect(back.current).toMatchObject({ stepKey: 'eligibility_check' });
  });
});
