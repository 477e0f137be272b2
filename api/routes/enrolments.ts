// Reading enrolments and acting on them. Every action is a Workflow Update validated by the workflow itself.
import { and, asc, desc, eq, inArray, lt, max, or, sql, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DateTime } from 'luxon';
import { z } from 'zod';
import {
  businesses,
  certificates,
  cohorts,
  enrolments,
  offices,
  outbox,
  programmes,
  programmeVersions,
  stepInstances,
} from '../../db/schema.js';
import { enrolmentStatuses } from '../../domain/types.js';
import { runUpdate } from '../../services/enrolment-actions.js';
import { withdrawWaitlisted } from '../../services/enrolment-intake.js';
import { drainOutbox, enrolmentWorkflowId } from '../../services/workflows.js';
import {
  completeStepUpdate,
  extendDeadlineUpdate,
  pauseUpdate,
  resumeUpdate,
  statusQuery,
  withdrawUpdate,
  type Actor,
  type EnrolmentState,
} from '../../workflows/messages.js';
import { auditContext, recordAudit } from '../audit.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { assertBusinessScope, assertOfficeScope, type Principal } from '../../services/principal.js';
import { principalOf } from '../plugins/auth.js';
import { HttpProblem } from '../problem.js';
import { problemResponses, uuidParam } from '../schemas/common.js';

const everyone = ['admin', 'manager', 'officer', 'business'] as const;
const staff = ['admin', 'manager', 'officer'] as const;

const stepSchema = z.object({
  stepKey: z.string(),
  visit: z.number().int(),
  status: z.string(),
  openedAt: z.string(),
  dueAt: z.string().nullable(),
  pausedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  outcome: z.string().nullable(),
  extensions: z.number().int(),
  overdue: z.boolean(),
});

const enrolmentSchema = z.object({
  id: z.uuid(),
  workflowId: z.string(),
  businessId: z.uuid(),
  businessName: z.string(),
  officeId: z.uuid(),
  programmeKey: z.string(),
  programmeName: z.object({ id: z.string(), en: z.string() }),
  programmeVersion: z.number().int(),
  year: z.number().int(),
  round: z.number().int(),
  cohortId: z.uuid().nullable(),
  status: z.enum(enrolmentStatuses),
  currentStep: z.string().nullable(),
  currentDueAt: z.string().nullable(),
  createdAt: z.string(),
});

const detailSchema = enrolmentSchema.extend({ steps: z.array(stepSchema), live: z.unknown().nullable() });

const listQuery = z
  .object({
    status: z.enum(enrolmentStatuses).optional(),
    programmeKey: z.string().max(100).optional(),
    year: z.coerce.number().int().min(2000).max(2100).optional(),
    cohortId: z.uuid().optional(),
    businessId: z.uuid().optional(),
    overdue: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

const reason = z.string().trim().min(3, 'alasan wajib diisi / a reason is required').max(1000);

const completeBody = z
  .object({
    outcome: z.string().min(1).max(100),
    documents: z.array(z.string().min(1).max(100)).max(50).default([]),
    note: z.string().max(2000).optional(),
    certificate: z
      .object({
        number: z.string().trim().min(3).max(100),
        issuedOn: z.iso.date(),
        scope: z.string().trim().min(1).max(1000),
      })
      .strict()
      .optional(),
  })
  .strict();

const extendBody = z.union([
  z.object({ reason, addWorkingDays: z.int().min(1).max(260) }).strict(),
  z.object({ reason, newDueDate: z.iso.date() }).strict(),
]);

const stepParams = uuidParam.extend({
  step: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'kunci langkah tidak valid / invalid step key'),
});

type EnrolmentRow = Awaited<ReturnType<typeof selectEnrolments>>[number];

function selectEnrolments(db: Parameters<FastifyPluginAsyncZod>[0]['db'], where: SQL | undefined, limit: number) {
  const currentDue = sql<Date | null>`(select s.due_at from ${stepInstances} s where s.enrolment_id = ${enrolments.id}
    and s.status in ('open', 'paused') order by s.opened_at desc limit 1)`;
  return db
    .select({
      enrolment: enrolments,
      businessName: businesses.name,
      programmeNameId: programmes.nameId,
      programmeNameEn: programmes.nameEn,
      currentDueAt: currentDue,
    })
    .from(enrolments)
    .innerJoin(businesses, eq(businesses.id, enrolments.businessId))
    .innerJoin(programmes, eq(programmes.key, enrolments.programmeKey))
    .where(where)
    .orderBy(desc(enrolments.createdAt), desc(enrolments.id))
    .limit(limit);
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function present(row: EnrolmentRow) {
  const e = row.enrolment;
  return {
    id: e.id,
    workflowId: e.workflowId,
    businessId: e.businessId,
    businessName: row.businessName,
    officeId: e.officeId,
    programmeKey: e.programmeKey,
    programmeName: { id: row.programmeNameId, en: row.programmeNameEn },
    programmeVersion: e.programmeVersion,
    year: e.year,
    round: e.round,
    cohortId: e.cohortId,
    status: e.status,
    currentStep: e.currentStep,
    currentDueAt: iso(row.currentDueAt),
    createdAt: e.createdAt.toISOString(),
  };
}

/** What the principal may see: its office's enrolments, or a business's own. */
function scopeFilter(principal: Principal): SQL | undefined {
  if (principal.role === 'admin') return undefined;
  if (principal.role === 'business')
    return eq(enrolments.businessId, principal.businessId ?? '00000000-0000-0000-0000-000000000000');
  return eq(enrolments.officeId, principal.officeId ?? '00000000-0000-0000-0000-000000000000');
}

const encodeCursor = (e: { createdAt: Date; id: string }) =>
  Buffer.from(`${e.createdAt.toISOString()}|${e.id}`).toString('base64url');
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at ?? '');
  if (Number.isNaN(createdAt.getTime()) || !id || !z.uuid().safeParse(id).success) {
    throw new HttpProblem(400, 'Kursor tidak valid / Invalid cursor', {
      errors: [{ path: 'querystring.cursor', message: 'invalid cursor' }],
    });
  }
  return { createdAt, id };
}

const enrolmentRoutes: FastifyPluginAsyncZod = async (app) => {
  async function loadVisible(principal: Principal, id: string) {
    const [row] = await selectEnrolments(app.db, eq(enrolments.id, id), 1);
    if (!row) throw notFound('Pendaftaran / Enrolment');
    assertBusinessScope(
      principal,
      { id: row.enrolment.businessId, officeId: row.enrolment.officeId },
      'Pendaftaran / Enrolment',
    );
    return row;
  }

  /** Sends an update to a running enrolment's workflow, audits it, and answers with the new detail. */
  async function act(
    request: Parameters<typeof recordAudit>[1],
    id: string,
    action: string,
    send: (actor: Actor) => (handle: Parameters<Parameters<typeof runUpdate>[2]>[0]) => Promise<EnrolmentState>,
  ) {
    const principal = principalOf(request);
    const row = await loadVisible(principal, id);
    const e = row.enrolment;
    if (e.status !== 'active' && e.status !== 'paused') {
      throw new HttpProblem(409, `Pendaftaran berstatus ${e.status} / Enrolment is ${e.status}`);
    }
    const actor: Actor = { userId: principal.userId, role: principal.role };
    const state = await runUpdate(app.temporal, e.workflowId, send(actor));
    await recordAudit(app.db, request, {
      action,
      entityType: 'enrolment',
      entityId: e.id,
      officeId: e.officeId,
      businessId: e.businessId,
      before: { status: e.status, currentStep: e.currentStep },
      after: { phase: state.phase, currentStep: state.current?.stepKey ?? null, body: request.body ?? null },
    });
    return detail(id, state);
  }

  /** Completes the open step of one enrolment; the cohort route calls it for each member. */
  function completeStep(
    request: Parameters<typeof recordAudit>[1],
    id: string,
    stepKey: string,
    body: {
      outcome: string;
      documents: string[];
      note?: string;
      certificate?: z.infer<typeof completeBody>['certificate'];
    },
  ) {
    return act(
      request,
      id,
      'enrolment.step.complete',
      (actor) => (handle) =>
        handle.executeUpdate(completeStepUpdate, {
          args: [
            {
              actor,
              stepKey,
              outcome: body.outcome,
              documents: body.documents,
              ...(body.note ? { note: body.note } : {}),
              ...(body.certificate ? { certificate: body.certificate } : {}),
            },
          ],
        }),
    );
  }

  async function detail(id: string, live: EnrolmentState | null) {
    const [row] = await selectEnrolments(app.db, eq(enrolments.id, id), 1);
    const steps = await app.db
      .select()
      .from(stepInstances)
      .where(eq(stepInstances.enrolmentId, id))
      .orderBy(asc(stepInstances.openedAt), asc(stepInstances.visit));
    const now = Date.now();
    return {
      ...present(row!),
      steps: steps.map((s) => ({
        stepKey: s.stepKey,
        visit: s.visit,
        status: s.status,
        openedAt: s.openedAt.toISOString(),
        dueAt: iso(s.dueAt),
        pausedAt: iso(s.pausedAt),
        completedAt: iso(s.completedAt),
        outcome: s.outcome,
        extensions: s.extensions,
        overdue: s.status === 'open' && s.dueAt !== null && s.dueAt.getTime() < now,
      })),
      live,
    };
  }

  app.get(
    '/enrolments',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['enrolments'],
        summary: 'Enrolments visible to the caller, newest first, with their current step and due date',
        querystring: listQuery,
        response: {
          200: z.object({ items: z.array(enrolmentSchema), nextCursor: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const principal = principalOf(request);
      const conditions: (SQL | undefined)[] = [scopeFilter(principal)];
      if (q.status) conditions.push(eq(enrolments.status, q.status));
      if (q.programmeKey) conditions.push(eq(enrolments.programmeKey, q.programmeKey));
      if (q.year) conditions.push(eq(enrolments.year, q.year));
      if (q.cohortId) conditions.push(eq(enrolments.cohortId, q.cohortId));
      if (q.businessId) conditions.push(eq(enrolments.businessId, q.businessId));
      if (q.overdue === 'true') {
        conditions.push(sql`exists (select 1 from ${stepInstances} s where s.enrolment_id = ${enrolments.id}
          and s.status = 'open' and s.due_at < now())`);
      }
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        conditions.push(
          or(
            lt(enrolments.createdAt, c.createdAt),
            and(eq(enrolments.createdAt, c.createdAt), lt(enrolments.id, c.id)),
          ),
        );
      }
      const rows = await selectEnrolments(app.db, and(...conditions), q.limit + 1);
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: page.map(present),
        nextCursor: rows.length > q.limit && last ? encodeCursor(last.enrolment) : null,
      };
    },
  );

  app.get(
    '/enrolments/:id',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['enrolments'],
        summary: 'One enrolment: its steps with due dates, and the live state of its workflow',
        params: uuidParam,
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => {
      const row = await loadVisible(principalOf(request), request.params.id);
      const e = row.enrolment;
      let live: EnrolmentState | null = null;
      if (e.status === 'active' || e.status === 'paused') {
        live = await app.temporal.workflow
          .getHandle(e.workflowId)
          .query(statusQuery)
          .catch((err: unknown) => {
            // The projection still answers while Temporal is unreachable; the live part is then missing.
            request.log.warn({ err }, 'status query failed');
            return null;
          });
      }
      return detail(e.id, live);
    },
  );

  app.post(
    '/enrolments/:id/steps/:step/complete',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['enrolments'],
        summary: 'Complete the open step with an outcome; the answer shows the next step and its deadline',
        params: stepParams,
        body: completeBody,
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => completeStep(request, request.params.id, request.params.step, request.body),
  );

  app.post(
    '/enrolments/:id/extend',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: "Extend the open step's deadline by N working days or to a date (end of that office day)",
        params: uuidParam,
        body: extendBody,
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => {
      const body = request.body;
      let newDueAt: number | undefined;
      if ('newDueDate' in body) {
        const [row] = await app.db
          .select({ zone: offices.timeZone, end: offices.officeHoursEnd })
          .from(enrolments)
          .innerJoin(offices, eq(offices.id, enrolments.officeId))
          .where(eq(enrolments.id, request.params.id));
        if (row) {
          const [hour, minute] = row.end.split(':').map(Number);
          newDueAt = DateTime.fromISO(body.newDueDate, { zone: row.zone }).set({ hour, minute }).toMillis();
        }
      }
      return act(
        request,
        request.params.id,
        'enrolment.extend',
        (actor) => (handle) =>
          handle.executeUpdate(extendDeadlineUpdate, {
            args: [
              'addWorkingDays' in body
                ? { actor, reason: body.reason, addWorkingDays: body.addWorkingDays }
                : { actor, reason: body.reason, newDueAt: newDueAt ?? 0 },
            ],
          }),
      );
    },
  );

  app.post(
    '/enrolments/:id/pause',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: 'Pause the enrolment: its clock stops until it resumes',
        params: uuidParam,
        body: z.object({ reason }).strict(),
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) =>
      act(
        request,
        request.params.id,
        'enrolment.pause',
        (actor) => (handle) => handle.executeUpdate(pauseUpdate, { args: [{ actor, reason: request.body.reason }] }),
      ),
  );

  app.post(
    '/enrolments/:id/resume',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: 'Resume a paused enrolment; the working days left at the pause are kept',
        params: uuidParam,
        // A POST without a body arrives as null.
        body: z.object({}).strict().nullish(),
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) =>
      act(
        request,
        request.params.id,
        'enrolment.resume',
        (actor) => (handle) => handle.executeUpdate(resumeUpdate, { args: [{ actor }] }),
      ),
  );

  app.post(
    '/enrolments/:id/withdraw',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: 'Withdraw the enrolment: its quota place goes to the first on the waitlist',
        params: uuidParam,
        body: z.object({ reason }).strict(),
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const row = await loadVisible(principalOf(request), id);
      // A waitlisted enrolment has no workflow yet: it leaves the waitlist in the database alone.
      if (row.enrolment.status === 'waitlisted') {
        await withdrawWaitlisted(app.db, auditContext(request), id, request.body.reason);
        return detail(id, null);
      }
      const answer = await act(
        request,
        id,
        'enrolment.withdraw',
        (actor) => (handle) => handle.executeUpdate(withdrawUpdate, { args: [{ actor, reason: request.body.reason }] }),
      );
      // The freed place went to the first on the waitlist in the same transaction; start its workflow now rather
      // than at the reconciler's next run.
      await drainOutbox(app.db, app.temporal, app.taskQueue);
      return answer;
    },
  );

  app.post(
    '/enrolments/:id/recertifications',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: 'Ingredients or process changed: start re-certification of a certified business (a new round)',
        params: uuidParam,
        body: z.object({ reason }).strict(),
        response: { 201: detailSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const row = await loadVisible(principal, request.params.id);
      const e = row.enrolment;
      const held = await app.db
        .select({ id: certificates.id })
        .from(certificates)
        .where(and(eq(certificates.enrolmentId, e.id), eq(certificates.status, 'valid')));
      if (e.status !== 'completed' || held.length === 0) {
        throw new HttpProblem(
          409,
          'Hanya pendaftaran yang selesai dengan sertifikat berlaku yang dapat disertifikasi ulang / Only a completed enrolment with a valid certificate can be re-certified',
        );
      }
      const [business] = await app.db
        .select({ nib: businesses.nib })
        .from(businesses)
        .where(eq(businesses.id, e.businessId));
      const year = DateTime.now().setZone('Asia/Jakarta').year;
      // A change is a legal obligation of a certified business, not a new place: re-certification takes no quota.
      const created = await app.db.transaction(async (tx) => {
        const [{ version } = { version: null }] = await tx
          .select({ version: max(programmeVersions.version) })
          .from(programmeVersions)
          .where(eq(programmeVersions.programmeKey, e.programmeKey));
        const [{ round } = { round: null }] = await tx
          .select({ round: max(enrolments.round) })
          .from(enrolments)
          .where(
            and(
              eq(enrolments.businessId, e.businessId),
              eq(enrolments.programmeKey, e.programmeKey),
              eq(enrolments.year, year),
            ),
          );
        const nextRound = Math.max((round ?? 0) + 1, e.round + 1);
        const [next] = await tx
          .insert(enrolments)
          .values({
            workflowId: enrolmentWorkflowId({
              programmeKey: e.programmeKey,
              year,
              nib: business!.nib,
              round: nextRound,
            }),
            businessId: e.businessId,
            officeId: e.officeId,
            programmeKey: e.programmeKey,
            programmeVersion: version ?? e.programmeVersion,
            year,
            round: nextRound,
            status: 'active',
            parentEnrolmentId: e.id,
            enrolledBy: principal.userId,
            activatedAt: new Date(),
          })
          .returning();
        await tx.insert(outbox).values({ kind: 'start_enrolment', enrolmentId: next!.id });
        await recordAudit(tx, request, {
          action: 'enrolment.recertify',
          entityType: 'enrolment',
          entityId: next!.id,
          officeId: e.officeId,
          businessId: e.businessId,
          after: { parentEnrolmentId: e.id, round: nextRound, reason: request.body.reason },
        });
        return next!;
      });
      await drainOutbox(app.db, app.temporal, app.taskQueue);
      return reply.status(201).send(await detail(created.id, null));
    },
  );

  app.post(
    '/cohorts/:id/steps/:step/complete',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: 'Complete a cohort step (a training day) for every enrolment of the cohort waiting on it',
        params: stepParams,
        body: completeBody.omit({ certificate: true }),
        response: {
          200: z.object({
            completed: z.array(z.uuid()),
            skipped: z.array(z.object({ enrolmentId: z.uuid(), reason: z.string() })),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const [cohort] = await app.db.select().from(cohorts).where(eq(cohorts.id, request.params.id));
      if (!cohort) throw notFound('Kohort / Cohort');
      assertOfficeScope(principal, cohort.officeId, 'Kohort / Cohort');
      const members = await app.db
        .select({ id: enrolments.id })
        .from(enrolments)
        .where(and(eq(enrolments.cohortId, cohort.id), inArray(enrolments.status, ['active', 'paused'])));
      const completed: string[] = [];
      const skipped: { enrolmentId: string; reason: string }[] = [];
      for (const { id } of members) {
        try {
          await completeStep(request, id, request.params.step, request.body);
          completed.push(id);
        } catch (err) {
          if (!(err instanceof HttpProblem || err instanceof DomainError)) throw err;
          skipped.push({ enrolmentId: id, reason: err.detail });
        }
      }
      return { completed, skipped };
    },
  );
};

export default enrolmentRoutes;
