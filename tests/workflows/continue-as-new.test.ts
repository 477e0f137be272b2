// A case that continues as new mid-case while actions and signals arrive: nothing hangs, the open step is carried, and
// an action sent again after the run that applied it continued is answered, not applied twice. Time-skipping server,
// real activities and database. It has a server of its own: sharing one with the other tests of a case's actions
// (enrolment-concurrency.test.ts), either it or the tests after it timed out now and then, waiting on that server.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { stepInstances } from '../../db/schema.js';
import {
  calendarChangedSignal,
  enrolmentWorkflowType,
  extendDeadlineUpdate,
  statusQuery,
  type EnrolmentState,
} from '../../workflows/messages.js';
import type { TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createToken, createUser, kalselOffice } from '../helpers/fixtures.js';
import { lastRunResult, queryCurrentRun } from '../helpers/temporal.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';
import { template } from './case-template.js';

const taskQueue = 'continue-as-new';

describe('a case that continues as new', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let stack: TestStack;
  let app: App;
  let officeId: string;
  let officer: { authorization: string };

  beforeAll(async () => {
    stack = await startTestStack({ taskQueue, worker: true });
    ({ database, env, app } = stack);
    officeId = (await kalselOffice(database.db)).id;
    officer = {
      authorization: `Bearer ${await createToken(database.db, (await createUser(database.db, 'officer', officeId)).id)}`,
    };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const post = (url: string, payload: object) =>
    app.inject({ method: 'POST', url: `/api/v1${url}`, headers: officer, payload });

  it('continues as new mid-case with updates arriving: nothing hangs, state and action IDs carry over', async () => {
    const own = await createBusiness(database.db, officeId);
    const enrolment = await createActiveEnrolment(database.db, template, own.id, officeId);
    // A low threshold makes the workflow continue as new at almost every quiet point, as a long case would.
    const handle = await env.client.workflow.start(enrolmentWorkflowType, {
      workflowId: enrolment.workflowId,
      taskQueue,
      args: [{ enrolmentId: enrolment.id, template, continueAsNewAfterEvents: 12 }],
      workflowTaskTimeout: '1s',
    });
    await waitFor(async () => (await handle.query(statusQuery)).current?.dueAt, { what: 'the first step to open' });
    const firstRun = (await handle.describe()).runId;
    // Calendar signals grow the history while actions arrive.
    const signals = Array.from({ length: 6 }, () => handle.signal(calendarChangedSignal));
    const [completed] = await Promise.all([
      post(`/enrolments/${enrolment.id}/steps/documents/complete`, { outcome: 'submitted' }),
      ...signals,
    ]);
    expect(completed.statusCode).toBe(200);

    const extend = (updateId: string) =>
      handle.executeUpdate(extendDeadlineUpdate, {
        updateId,
        args: [{ actor: { userId: null, role: 'admin' }, reason: 'LPH minta waktu', addWorkingDays: 5 }],
      });
    await extend('extend-once');
    await waitFor(async () => (await handle.describe()).runId !== firstRun, { what: 'a continue-as-new' });
    for (let i = 0; i < 4; i++) await handle.signal(calendarChangedSignal);
    // The same action again, after the run that applied it continued as new: answered, not applied twice.
    const again = await extend('extend-once');
    expect(again.visits).toEqual({ documents: 1, audit: 1 });
    const [audit] = await database.db
      .select()
      .from(stepInstances)
      .where(and(eq(stepInstances.enrolmentId, enrolment.id), eq(stepInstances.stepKey, 'audit')));
    expect(audit!.extensions).toBe(1);

    const state: EnrolmentState = await queryCurrentRun(env, enrolment.workflowId, statusQuery);
    expect(state.history.map((h) => h.stepKey)).toEqual(['documents']);
    expect(state.current).toMatchObject({ stepKey: 'audit', visit: 1, dueAt: audit!.dueAt!.getTime() });
    // The open step was carried, not opened again.
    const steps = await database.db
      .select()
      .from(stepInstances)
      .where(eq(stepInstances.enrolmentId, enrolment.id))
      .orderBy(stepInstances.openedAt);
    expect(steps.map((s) => [s.stepKey, s.status])).toEqual([
      ['documents', 'done'],
      ['audit', 'open'],
    ]);
    const done = await post(`/enrolments/${enrolment.id}/steps/audit/complete`, { outcome: 'ok' });
    expect(done.json().status).toBe('completed');
    expect((await lastRunResult<EnrolmentState>(env, enrolment.workflowId)).phase).toBe('completed');
  });
});
