// Where two actions meet on one case, a write fails for good, or a request is retried: the engine applies one action
// at a time and never hangs (a case that continues as new mid-case: continue-as-new.test.ts). Time-skipping server,
// real activities and database; a gate holds one activity open so the second action arrives while the first is being
// applied.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createActivities } from '../../activities/index.js';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import type { App } from '../../api/app.js';
import { auditLog, enrolments, idempotencyKeys, notifications, calendarDays, stepInstances } from '../../db/schema.js';
import { addWorkingDays, localDate, workingDaysBetween } from '../../domain/calendar.js';
import {
  calendarChangedSignal,
  enrolmentWorkflowType,
  statusQuery,
  type EngineActivities,
  type EnrolmentInput,
} from '../../workflows/messages.js';
import { template } from './case-template.js';
import type { TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createToken, createUser, kalselOffice } from '../helpers/fixtures.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const taskQueue = 'enrolment-concurrency';
type Gate = { entered: Promise<void>; release: () => void };

/**
 * The real activities, with two controls a test about the workflow needs: hold one activity of one enrolment until
 * released, and make one fail until told otherwise. A held activity holds every attempt of it: a busy machine can time
 * out the workflow task that ran the first, and its retry must wait too, or the action would finish behind the test.
 */
function controllableActivities(real: ReturnType<typeof createActivities>) {
  const gates = new Map<string, { enter: () => void; released: Promise<void> }>();
  const failing = new Set<string>();
  const wrap =
    <K extends keyof EngineActivities>(key: K) =>
    async (...args: Parameters<EngineActivities[K]>) => {
      const target = `${key}:${(args[0] as { enrolmentId: string }).enrolmentId}`;
      const gate = gates.get(target);
      if (gate) {
        gate.enter();
        await gate.released;
      }
      if (failing.has(target)) throw new Error('disk penuh / disk full');
      return (real[key] as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  const engineKeys: (keyof EngineActivities)[] = [
    'openStep',
    'sendNotice',
    'rescheduleStep',
    'closeStep',
    'finishEnrolment',
    'withdrawEnrolment',
    'markStuck',
  ];
  return {
    activities: { ...real, ...Object.fromEntries(engineKeys.map((k) => [k, wrap(k)])) },
    gate(key: keyof EngineActivities, enrolmentId: string): Gate {
      let enter!: () => void;
      let open!: () => void;
      const entered = new Promise<void>((r) => (enter = r));
      const released = new Promise<void>((r) => (open = r));
      gates.set(`${key}:${enrolmentId}`, { enter, released });
      return {
        entered,
        release: () => {
          gates.delete(`${key}:${enrolmentId}`);
          open();
        },
      };
    },
    fail(key: keyof EngineActivities, enrolmentId: string, on: boolean) {
      if (on) failing.add(`${key}:${enrolmentId}`);
      else failing.delete(`${key}:${enrolmentId}`);
    },
  };
}

describe('actions that meet on one case', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let stack: TestStack;
  let app: App;
  let control: ReturnType<typeof controllableActivities>;
  let officeId: string;
  let officer: { authorization: string };
  let business: { authorization: string };

  beforeAll(async () => {
    stack = await startTestStack({
      taskQueue,
      worker: (real) => (control = controllableActivities(real)).activities,
    });
    ({ database, env, app } = stack);
    officeId = (await kalselOffice(database.db)).id;
    officer = {
      authorization: `Bearer ${await createToken(database.db, (await createUser(database.db, 'officer', officeId)).id)}`,
    };
    const businessUser = await createUser(
      database.db,
      'business',
      officeId,
      (await createBusiness(database.db, officeId)).id,
    );
    business = { authorization: `Bearer ${await createToken(database.db, businessUser.id)}` };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /**
   * An enrolment whose workflow runs with a short workflow-task timeout: while a local activity is held open, the
   * worker completes a task every 0.8 s, and an update that arrived meanwhile is validated then, mid-action.
   */
  async function enrol(extra: Partial<EnrolmentInput> = {}) {
    const own = await createBusiness(database.db, officeId);
    const enrolment = await createActiveEnrolment(database.db, template, own.id, officeId);
    const handle = await env.client.workflow.start(enrolmentWorkflowType, {
      workflowId: enrolment.workflowId,
      taskQueue,
      args: [{ enrolmentId: enrolment.id, template, ...extra } satisfies EnrolmentInput],
      workflowTaskTimeout: '1s',
    });
    await waitFor(async () => (await handle.query(statusQuery)).current?.dueAt, { what: 'the first step to open' });
    return { enrolment, handle };
  }

  /**
   * Waits for an answer while the workflow's clock runs: the retries of a failing write back off over minutes, which
   * the test server skips only while the test sleeps on it.
   */
  async function withTimePassing<T>(answer: Promise<T>): Promise<T> {
    let settled = false;
    void answer.finally(() => (settled = true));
    await waitFor(async () => settled || (await env.sleep('1 minute'), settled), {
      what: 'the answer, with time passing',
    });
    return answer;
  }

  const post = (url: string, headers: Record<string, string>, payload: object = {}) =>
    app.inject({ method: 'POST', url: `/api/v1${url}`, headers, payload });
  const completeDocuments = (id: string) =>
    post(`/enrolments/${id}/steps/documents/complete`, officer, { outcome: 'submitted' });
  const stepRows = async (id: string) =>
    (
      await database.db
        .select()
        .from(stepInstances)
        .where(eq(stepInstances.enrolmentId, id))
        .orderBy(stepInstances.openedAt)
    ).map((s) => [s.stepKey, s.status]);

  it('refuses a withdrawal while a completion is applied, then withdraws from the next step', async () => {
    const { enrolment, handle } = await enrol();
    const gate = control.gate('closeStep', enrolment.id);
    const completing = completeDocuments(enrolment.id);
    await gate.entered;
    const withdrawing = await post(`/enrolments/${enrolment.id}/withdraw`, officer, { reason: 'Usaha mundur' });
    expect(withdrawing.statusCode).toBe(409);
    expect(withdrawing.json().detail).toMatch(/Another action \(complete\) is being applied/);
    gate.release();
    const completed = await completing;
    expect(completed.statusCode).toBe(200);
    expect(completed.json().live.current).toMatchObject({ stepKey: 'audit', visit: 1 });

    const withdrawn = await post(`/enrolments/${enrolment.id}/withdraw`, officer, { reason: 'Usaha mundur' });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json().status).toBe('withdrawn');
    expect(await stepRows(enrolment.id)).toEqual([
      ['documents', 'done'],
      ['audit', 'cancelled'],
    ]);
    expect((await handle.result()).phase).toBe('withdrawn');
  });

  it('refuses a pause and an extension during a completion: the finished step stays done, the next runs', async () => {
    const { enrolment } = await enrol();
    const gate = control.gate('closeStep', enrolment.id);
    const completing = completeDocuments(enrolment.id);
    await gate.entered;
    const pausing = await post(`/enrolments/${enrolment.id}/pause`, officer, { reason: 'Menunggu dokumen' });
    const extending = await post(`/enrolments/${enrolment.id}/extend`, officer, {
      reason: 'LPH minta waktu',
      addWorkingDays: 5,
    });
    expect([pausing.statusCode, extending.statusCode]).toEqual([409, 409]);
    gate.release();
    const completed = (await completing).json();
    expect(completed.status).toBe('active');
    expect(completed.live.phase).toBe('active');
    const audit = completed.steps.find((s: { stepKey: string }) => s.stepKey === 'audit');
    const cal = await loadOfficeCalendar(database.db, officeId, Date.parse(audit.openedAt));
    // The audit's own limit, with no extension carried over from the step before.
    expect(Date.parse(audit.dueAt)).toBe(addWorkingDays(Date.parse(audit.openedAt), 15, cal));
    expect(audit.extensions).toBe(0);
    expect(await stepRows(enrolment.id)).toEqual([
      ['documents', 'done'],
      ['audit', 'open'],
    ]);
  });

  it("refuses a withdrawal during the last step's close; the case completes and keeps its state", async () => {
    const { enrolment, handle } = await enrol();
    await completeDocuments(enrolment.id);
    const gate = control.gate('finishEnrolment', enrolment.id);
    const finishing = post(`/enrolments/${enrolment.id}/steps/audit/complete`, officer, { outcome: 'ok' });
    await gate.entered;
    const withdrawing = await post(`/enrolments/${enrolment.id}/withdraw`, officer, { reason: 'Usaha mundur' });
    expect(withdrawing.statusCode).toBe(409);
    gate.release();
    expect((await finishing).json()).toMatchObject({ status: 'completed', currentStep: null });
    expect((await post(`/enrolments/${enrolment.id}/withdraw`, officer, { reason: 'Usaha mundur' })).statusCode).toBe(
      409,
    );
    expect((await handle.result()).phase).toBe('completed');
  });

  it('leaves a case stuck when a write keeps failing: the office and managers are told, an officer retries', async () => {
    const { enrolment } = await enrol();
    control.fail('openStep', enrolment.id, true);
    const completing = await withTimePassing(completeDocuments(enrolment.id));
    expect(completing.statusCode).toBe(503);
    expect(completing.json().detail).toMatch(/the case is stuck \(disk penuh \/ disk full\)/);

    const [row] = await database.db.select().from(enrolments).where(eq(enrolments.id, enrolment.id));
    expect(row!.stuckAt).not.toBeNull();
    expect(row!.stuckReason).toMatch(/^openStep: .*disk full/);
    const told = await database.db
      .select({ role: notifications.recipientRole })
      .from(notifications)
      .where(and(eq(notifications.enrolmentId, enrolment.id), eq(notifications.kind, 'stuck')));
    expect(told.map((t) => t.role).sort()).toEqual(['manager', 'officer']);
    const listed = await app.inject({ url: '/api/v1/enrolments?stuck=true', headers: officer });
    expect(listed.json().items.map((e: { id: string }) => e.id)).toContain(enrolment.id);

    // While stuck, other actions wait for the retry.
    const pausing = await post(`/enrolments/${enrolment.id}/pause`, officer, { reason: 'Menunggu dokumen' });
    expect(pausing.statusCode).toBe(409);
    expect(pausing.json().detail).toMatch(/The case is stuck \(openStep\)/);
    expect((await post(`/enrolments/${enrolment.id}/retry`, business, {})).statusCode).toBe(403);

    control.fail('openStep', enrolment.id, false);
    expect((await post(`/enrolments/${enrolment.id}/retry`, officer, {})).statusCode).toBe(200);
    const recovered = await waitFor(
      async () => {
        const detail = (
          await app.inject({ url: `/api/v1/enrolments/${enrolment.id}?live=true`, headers: officer })
        ).json();
        return detail.stuck === null && detail.live?.current?.dueAt ? detail : null;
      },
      { what: 'the retried step to open' },
    );
    expect(recovered.live).toMatchObject({ phase: 'active', stuck: null, current: { stepKey: 'audit' } });
    expect(await stepRows(enrolment.id)).toEqual([
      ['documents', 'done'],
      ['audit', 'open'],
    ]);
  });

  it('lets an office withdraw a stuck case, giving its place up', async () => {
    const { enrolment, handle } = await enrol();
    control.fail('closeStep', enrolment.id, true);
    expect((await withTimePassing(completeDocuments(enrolment.id))).statusCode).toBe(503);
    const withdrawn = await post(`/enrolments/${enrolment.id}/withdraw`, officer, {
      reason: 'Kasus tidak bisa lanjut',
    });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn', stuck: null });
    expect((await handle.result()).phase).toBe('withdrawn');
    control.fail('closeStep', enrolment.id, false);
  });

  it('applies a calendar correction received while paused, so the resume counts the right days', async () => {
    const { enrolment, handle } = await enrol();
    const paused = await post(`/enrolments/${enrolment.id}/pause`, officer, { reason: 'Menunggu dokumen' });
    const step = paused.json().steps[0];
    const pausedAt = Date.parse(step.pausedAt);
    const oldDue = Date.parse(step.dueAt);
    const calBefore = await loadOfficeCalendar(database.db, officeId, pausedAt);
    // The office closes on a working day between the pause and the frozen deadline.
    const closedDay = localDate(addWorkingDays(pausedAt, 2, calBefore), 'Asia/Makassar');
    await database.db.insert(calendarDays).values({
      officeId,
      date: closedDay,
      kind: 'office_closure',
      nameId: 'Banjir',
      nameEn: 'Flood',
      source: 'officer',
    });
    await handle.signal(calendarChangedSignal);
    const cal = await loadOfficeCalendar(database.db, officeId, pausedAt);
    const moved = addWorkingDays(Date.parse(step.openedAt), 10, cal);
    expect(moved).toBeGreaterThan(oldDue);
    await waitFor(
      async () => {
        const [row] = await database.db.select().from(stepInstances).where(eq(stepInstances.enrolmentId, enrolment.id));
        return row!.dueAt!.getTime() === moved;
      },
      { what: 'the paused step to take the correction' },
    );

    await env.sleep('3 days');
    const resumed = await post(`/enrolments/${enrolment.id}/resume`, officer, {});
    expect(resumed.statusCode).toBe(200);
    // The working days left when the clock stopped, counted on the corrected calendar, run again from the resume.
    const left = workingDaysBetween(pausedAt, moved, cal);
    const [row] = await database.db.select().from(stepInstances).where(eq(stepInstances.enrolmentId, enrolment.id));
    expect(row!.dueWorkingDays).toBe(left);
    expect(row!.dueAt!.getTime()).toBe(addWorkingDays(row!.dueBasisAt!.getTime(), left, cal));
    await database.db
      .delete(calendarDays)
      .where(and(eq(calendarDays.date, closedDay), eq(calendarDays.kind, 'office_closure')));
  });

  it('applies an action sent twice with the same Idempotency-Key once, even after the stored answer was lost', async () => {
    const { enrolment } = await enrol();
    await completeDocuments(enrolment.id);
    const headers = { ...officer, 'idempotency-key': 'perpanjang-audit-0001' };
    const body = { reason: 'LPH minta waktu', addWorkingDays: 5 };
    const first = await post(`/enrolments/${enrolment.id}/extend`, headers, body);
    expect(first.statusCode).toBe(200);
    // As after a 5xx answer (or a crash before it was stored): the key is free again, the action already applied.
    await database.db.delete(idempotencyKeys);
    const second = await post(`/enrolments/${enrolment.id}/extend`, headers, body);
    expect(second.statusCode).toBe(200);
    const audit = second.json().steps.find((s: { stepKey: string }) => s.stepKey === 'audit');
    expect(audit.extensions).toBe(1);
    expect(audit.dueAt).toBe(first.json().steps.find((s: { stepKey: string }) => s.stepKey === 'audit').dueAt);
    const audited = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, enrolment.id), eq(auditLog.action, 'enrolment.extend')));
    expect(audited).toHaveLength(1);
    expect(audited[0]!.requestId).not.toBeNull();
  });

  it('tells each action once: step completed, extended, paused, resumed, withdrawn with its reason', async () => {
    const { enrolment } = await enrol();
    await completeDocuments(enrolment.id);
    const extend = { reason: 'LPH minta waktu', addWorkingDays: 5 };
    const key = { ...officer, 'idempotency-key': 'perpanjang-sekali-0001' };
    await post(`/enrolments/${enrolment.id}/extend`, key, extend);
    await database.db.delete(idempotencyKeys);
    await post(`/enrolments/${enrolment.id}/extend`, key, extend);
    await post(`/enrolments/${enrolment.id}/pause`, officer, { reason: 'Menunggu dokumen' });
    await post(`/enrolments/${enrolment.id}/resume`, officer, {});
    await post(`/enrolments/${enrolment.id}/withdraw`, officer, { reason: 'Usaha tutup' });
    const rows = await database.db
      .select({
        kind: notifications.kind,
        user: notifications.recipientUserId,
        role: notifications.recipientRole,
        body: notifications.bodyId,
      })
      .from(notifications)
      .where(eq(notifications.enrolmentId, enrolment.id));
    const kinds = new Set(rows.map((r) => r.kind));
    for (const kind of ['step_completed', 'extended', 'paused', 'resumed', 'withdrawn']) expect(kinds).toContain(kind);
    // One extension, told once to each recipient, although its request came twice.
    const extended = rows.filter((r) => r.kind === 'extended');
    expect(extended.length).toBeGreaterThan(0);
    expect(new Set(extended.map((r) => `${r.user}:${r.role}`)).size).toBe(extended.length);
    expect(rows.find((r) => r.kind === 'withdrawn')!.body).toContain('Usaha tutup');
  });

  it('tells a failed enrolment it did not pass, never that it completed', async () => {
    const { enrolment, handle } = await enrol();
    await completeDocuments(enrolment.id);
    const failed = await post(`/enrolments/${enrolment.id}/steps/audit/complete`, officer, { outcome: 'failed' });
    expect(failed.json().status).toBe('failed');
    await handle.result();
    const kinds = (
      await database.db
        .select({ kind: notifications.kind })
        .from(notifications)
        .where(eq(notifications.enrolmentId, enrolment.id))
    ).map((n) => n.kind);
    expect(kinds).toContain('failed');
    expect(kinds).not.toContain('completed');
  });
});
