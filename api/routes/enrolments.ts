// Enrolments and the actions on them: a thin adapter over services/enrolments.ts, which the pages call too.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { enrolmentStatuses } from '../../domain/types.js';
import {
  actOnEnrolment,
  completeCohortStep,
  getEnrolment,
  listEnrolments,
  recertify,
  type ActionOptions,
  type EnrolmentAction,
  type EnrolmentDetail,
} from '../../services/enrolments.js';
import { principalOf } from '../plugins/auth.js';
import { cacheAnswer, cacheListAnswer } from '../plugins/read-cache.js';
import { problemResponses, uuidParam } from '../schemas/common.js';
import type { FastifyRequest } from 'fastify';
import { sourceOf } from '../audit.js';

const everyone = ['admin', 'manager', 'officer', 'business'] as const;
const staff = ['admin', 'manager', 'officer'] as const;

const iso = z.string();
const stepSchema = z.object({
  stepKey: z.string(),
  visit: z.number().int(),
  status: z.string(),
  openedAt: iso,
  dueAt: iso.nullable(),
  pausedAt: iso.nullable(),
  completedAt: iso.nullable(),
  outcome: z.string().nullable(),
  extensions: z.number().int(),
  overdue: z.boolean(),
});

const stuckSchema = z.object({ since: iso, reason: z.string() }).nullable();

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
  assigneeUserId: z.uuid().nullable().describe('the officer who handles the case'),
  status: z.enum(enrolmentStatuses),
  currentStep: z.string().nullable(),
  currentDueAt: iso.nullable(),
  stuck: stuckSchema,
  createdAt: iso,
});

/**
 * What a list shows of each enrolment. The workflow's ID, the programme's version and its names (the same for every
 * item of a programme; `GET /programmes` has them) are the detail's: a page of 50 is a third smaller without them.
 */
const enrolmentSummarySchema = enrolmentSchema
  .omit({ workflowId: true, programmeName: true, programmeVersion: true })
  .describe(
    'Ringkasan untuk daftar; detailnya di GET /enrolments/{id} / A summary for lists; the rest is in GET /enrolments/{id}',
  );

const liveStepSchema = z.object({
  stepKey: z.string(),
  visit: z.number().int(),
  openedAt: iso,
  dueAt: iso.nullable(),
  closedAt: iso.nullable(),
  outcome: z.string().nullable(),
  actorUserId: z.string().nullable(),
});

const liveSchema = z.object({
  enrolmentId: z.uuid(),
  programmeKey: z.string(),
  programmeVersion: z.number().int(),
  phase: z.enum(['active', 'paused', 'completed', 'failed', 'withdrawn']),
  current: liveStepSchema
    .extend({
      pausedAt: iso.nullable(),
      pendingNotices: z.array(z.object({ kind: z.string(), at: iso })),
    })
    .nullable(),
  history: z.array(liveStepSchema),
  visits: z.record(z.string(), z.number().int()),
  inFlight: z.string().nullable(),
  stuck: z.object({ operation: z.string(), reason: z.string(), since: iso }).nullable(),
});

const detailSchema = enrolmentSchema.extend({ steps: z.array(stepSchema), live: liveSchema.nullable() });

const listQuery = z
  .object({
    status: z.enum(enrolmentStatuses).optional(),
    programmeKey: z.string().max(100).optional(),
    year: z.coerce.number().int().min(2000).max(2100).optional(),
    cohortId: z.uuid().optional(),
    businessId: z.uuid().optional(),
    overdue: z.enum(['true', 'false']).optional(),
    stuck: z.enum(['true', 'false']).optional(),
    assignee: z
      .union([z.enum(['me', 'none']), z.uuid()])
      .optional()
      .describe("the work queue: 'me' (the caller's cases), 'none' (unassigned) or an officer's user id"),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

/** Shared with the case page's forms, which call the same services. */
export const reason = z.string().trim().min(3, 'alasan wajib diisi / a reason is required').max(1000);

export const completeBody = z
  .object({
    outcome: z.string().min(1).max(100),
    documents: z
      .array(z.string().min(1).max(100))
      .max(50)
      .optional()
      .describe(
        'ignored, kept so older clients still work: the required checklist items must have an accepted document (see /enrolments/{id}/documents)',
      ),
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

export const extendBody = z.union([
  z.object({ reason, addWorkingDays: z.int().min(1).max(260) }).strict(),
  z.object({ reason, newDueDate: z.iso.date('tanggal tidak valid (TTTT-BB-HH) / invalid date (YYYY-MM-DD)') }).strict(),
]);

const stepParams = uuidParam.extend({
  step: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'kunci langkah tidak valid / invalid step key'),
});

/** When a detail stops being true by itself: the first open step to fall overdue (its `overdue` turns true). */
function overdueFrom(detail: EnrolmentDetail): number {
  let at = Infinity;
  for (const s of detail.steps)
    if (s.status === 'open' && s.dueAt && !s.overdue) at = Math.min(at, Date.parse(s.dueAt));
  return at;
}

/** The request's identity for the workflow: the Idempotency-Key (as its derived ID) makes a retry the same action. */
function actionOptions(request: FastifyRequest): ActionOptions {
  return { actionId: request.idempotency?.keyId, requestId: request.id };
}

const enrolmentRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = { db: app.db, temporal: app.temporal, taskQueue: app.taskQueue };
  const act = (request: FastifyRequest, id: string, action: EnrolmentAction) =>
    actOnEnrolment(deps, sourceOf(request), id, action, actionOptions(request));

  app.get(
    '/enrolments',
    {
      onRequest: app.authorize(everyone),
      config: { readCache: 'scoped' },
      schema: {
        tags: ['enrolments'],
        summary: 'Enrolments visible to the caller, newest first, with their current step and due date',
        description:
          'Tiap butir adalah ringkasan; ID alur kerja, versi dan nama program ada di GET /enrolments/{id} dan GET /programmes / ' +
          "Each item is a summary; the workflow ID, the programme's version and names are in GET /enrolments/{id} and GET /programmes",
        querystring: listQuery,
        response: {
          200: z.object({ items: z.array(enrolmentSummarySchema), nextCursor: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const answer = await listEnrolments(app.db, principalOf(request), {
        ...q,
        overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
        stuck: q.stuck === undefined ? undefined : q.stuck === 'true',
      });
      // Not kept: `overdue` changes with the clock, 'me' with the caller rather than the scope.
      if (q.overdue === undefined && q.assignee !== 'me') cacheListAnswer(request);
      return answer;
    },
  );

  app.get(
    '/enrolments/:id',
    {
      onRequest: app.authorize(everyone),
      config: { readCache: 'shared' },
      schema: {
        tags: ['enrolments'],
        summary:
          'One enrolment from the projection: its steps with due dates; `live=true` adds the live state of its workflow',
        description:
          'Dibaca dari proyeksi basis data; `live=true` menambah status alur kerja langsung (satu kueri ke Temporal) / ' +
          'Read from the database projection; `live=true` adds the live workflow state (one query to Temporal, slower)',
        params: uuidParam,
        querystring: z.object({ live: z.enum(['true', 'false']).default('false') }).strict(),
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => {
      const live = request.query.live === 'true';
      const answer = await getEnrolment(deps, principalOf(request), request.params.id, {
        live,
        onQueryError: (err) => request.log.warn({ err }, 'status query failed'),
      });
      if (!live) {
        cacheAnswer(request, {
          tags: [`e:${answer.id}`, `b:${answer.businessId}`],
          visibility: { officeId: answer.officeId, businessId: answer.businessId },
          expiresAt: overdueFrom(answer),
        });
      }
      return answer;
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
    async (request) => {
      const { outcome, note, certificate } = request.body;
      return act(request, request.params.id, {
        kind: 'complete',
        stepKey: request.params.step,
        outcome,
        note,
        certificate,
      });
    },
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
    async (request) => act(request, request.params.id, { kind: 'extend', ...request.body }),
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
    async (request) => act(request, request.params.id, { kind: 'pause', reason: request.body.reason }),
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
    async (request) => act(request, request.params.id, { kind: 'resume' }),
  );

  app.post(
    '/enrolments/:id/retry',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: "A stuck case tries its failed write again; the case leaves 'stuck' once the write goes through",
        params: uuidParam,
        body: z.object({}).strict().nullish(),
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => act(request, request.params.id, { kind: 'retry' }),
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
    async (request) => act(request, request.params.id, { kind: 'withdraw', reason: request.body.reason }),
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
    async (request, reply) =>
      reply.status(201).send(await recertify(deps, sourceOf(request), request.params.id, request.body.reason)),
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
    async (request) =>
      completeCohortStep(
        deps,
        sourceOf(request),
        request.params.id,
        { stepKey: request.params.step, outcome: request.body.outcome, note: request.body.note },
        actionOptions(request),
      ),
  );
};

export default enrolmentRoutes;
