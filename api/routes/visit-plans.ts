// Visit plans (monev and inventory visits that recur by calendar month): a thin adapter over services/visits/plans.ts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recurrenceSchema } from '../../domain/visit-recurrence.js';
import {
  backfillVisitPlan,
  createVisitPlan,
  getVisitPlan,
  listVisitPlans,
  maxBackfillMonths,
  setVisitPlanStatus,
  updateVisitPlan,
  type VisitPlanDeps,
} from '../../services/visits/plans.js';
import { principalOf } from '../plugins/auth.js';
import { problemResponses, uuidParam } from '../schemas/common.js';
import { sourceOf } from '../audit.js';

const staff = ['admin', 'manager', 'officer'] as const;

export const monthSchema = z
  .string()
  .regex(/^20\d{2}-(0[1-9]|1[0-2])$/, 'bulan YYYY-MM antara 2000 dan 2099 / a month YYYY-MM from 2000 to 2099')
  .describe("'YYYY-MM'");

const planSchema = z.object({
  id: z.uuid(),
  officeId: z.uuid(),
  name: z.string(),
  place: z.string(),
  recurrence: recurrenceSchema,
  visitsPerMonth: z.object({ min: z.number().int(), max: z.number().int() }),
  teamUserIds: z.array(z.uuid()),
  siteIds: z.array(z.uuid()),
  status: z.enum(['active', 'paused']),
  scheduleId: z.string().describe("the plan's Temporal schedule"),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const name = z.string().trim().min(3, 'nama minimal 3 karakter / a name of at least 3 characters').max(200);
const place = z.string().trim().min(2, 'tempat minimal 2 karakter / a place of at least 2 characters').max(300);
const team = z
  .array(z.uuid())
  .min(1, 'pilih paling sedikit satu anggota tim / choose at least one team member')
  .max(20)
  .describe('active officers or managers of the office');
const planSites = z
  .array(z.uuid())
  .max(50)
  .describe("sites of the office's inventory each visit sees; a change applies from the next month's run");

const visitPlanRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: VisitPlanDeps = { db: app.db, temporal: { client: app.temporal, taskQueue: app.taskQueue } };

  app.get(
    '/visit-plans',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: "The office's visit plans",
        querystring: z.object({ officeId: z.uuid().optional().describe('administrators: one office only') }).strict(),
        response: {
          200: z.object({
            items: z.array(
              planSchema.extend({
                team: z.array(z.object({ id: z.uuid(), name: z.string() })),
                sites: z.array(z.object({ id: z.uuid(), name: z.string() })),
                nextDates: z.array(z.string()).describe("an active plan's next visit dates, 'YYYY-MM-DD', up to 3"),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => ({ items: await listVisitPlans(app.db, principalOf(request), request.query.officeId) }),
  );

  app.post(
    '/visit-plans',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Plan recurring visits; a Temporal schedule of their own creates each month’s visits on its 1st',
        description:
          'Each date falls on a working day of the office calendar (moved off holidays, cuti bersama and closures); ' +
          'the team is reminded the working day before. 503 when the scheduler cannot be reached: nothing is stored.',
        body: z
          .object({
            name,
            place,
            recurrence: recurrenceSchema,
            teamUserIds: team,
            siteIds: planSites.optional(),
            officeId: z.uuid().optional().describe('administrators only'),
          })
          .strict(),
        response: { 201: planSchema, ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createVisitPlan(deps, sourceOf(request), request.body)),
  );

  app.get(
    '/visit-plans/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'One visit plan',
        params: uuidParam,
        response: { 200: planSchema, ...problemResponses },
      },
    },
    async (request) => getVisitPlan(app.db, principalOf(request), request.params.id),
  );

  app.patch(
    '/visit-plans/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Change a plan (from the next month on: visits already made keep their day, place and team)',
        params: uuidParam,
        body: z
          .object({
            name: name.optional(),
            place: place.optional(),
            recurrence: recurrenceSchema.optional(),
            teamUserIds: team.optional(),
            siteIds: planSites.optional(),
          })
          .strict()
          .refine((b) => Object.keys(b).length > 0, { message: 'tidak ada yang diubah / nothing to change' })
          .meta({ minProperties: 1 }),
        response: { 200: planSchema, ...problemResponses },
      },
    },
    async (request) => updateVisitPlan(deps, sourceOf(request), request.params.id, request.body),
  );

  for (const [action, status] of [
    ['pause', 'paused'],
    ['resume', 'active'],
  ] as const) {
    app.post(
      `/visit-plans/:id/${action}`,
      {
        onRequest: app.authorize(staff),
        schema: {
          tags: ['field visits'],
          summary:
            action === 'pause'
              ? 'Pause a plan: its schedule makes no visits until resumed (a paused plan asked again stays paused)'
              : 'Resume a plan: its schedule makes the next month’s visits again',
          params: uuidParam,
          response: { 200: planSchema, ...problemResponses },
        },
      },
      async (request) => setVisitPlanStatus(deps, sourceOf(request), request.params.id, status),
    );
  }

  app.post(
    '/visit-plans/:id/backfill',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Make the visits of past months the plan missed (each visit once, however often asked)',
        description: `From and to are months up to the current one, at most ${maxBackfillMonths} of them.`,
        params: uuidParam,
        body: z.object({ from: monthSchema, to: monthSchema }).strict(),
        response: {
          202: z.object({ planId: z.uuid(), from: z.string(), to: z.string(), months: z.number().int() }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await backfillVisitPlan(deps, sourceOf(request), request.params.id, request.body)),
  );
};

export default visitPlanRoutes;
