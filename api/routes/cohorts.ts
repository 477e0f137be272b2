// Cohorts: named batches of a programme year in an office (enrolling into one: enrolment-intake.ts).
import { asc, count, inArray } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { programmeYearFilter, programmeYearQuery } from '../../services/programme-year-filter.js';
import { cohorts, enrolments } from '../../db/schema.js';
import { enrolmentStatuses } from '../../domain/types.js';
import { createCohort, renameCohort, visibleCohort, type CohortRow } from '../../services/cohorts.js';
import { sourceOf } from '../audit.js';
import { principalOf } from '../plugins/auth.js';
import { problemResponses, uuidParam } from '../schemas/common.js';

const staff = ['admin', 'manager', 'officer'] as const;

const cohortSchema = z.object({
  id: z.uuid(),
  officeId: z.uuid(),
  programmeKey: z.string(),
  year: z.number().int(),
  name: z.string(),
  enrolments: z
    .record(z.enum(enrolmentStatuses), z.number().int())
    .describe('how many enrolments of the cohort are in each status'),
  createdAt: z.string(),
});

const name = z.string().trim().min(3).max(200);

const cohortRoutes: FastifyPluginAsyncZod = async (app) => {
  async function present(rows: CohortRow[]) {
    const counts = await app.db
      .select({ cohortId: enrolments.cohortId, status: enrolments.status, n: count() })
      .from(enrolments)
      .where(
        inArray(
          enrolments.cohortId,
          rows.map((c) => c.id),
        ),
      )
      .groupBy(enrolments.cohortId, enrolments.status);
    return rows.map((c) => ({
      id: c.id,
      officeId: c.officeId,
      programmeKey: c.programmeKey,
      year: c.year,
      name: c.name,
      enrolments: Object.fromEntries(
        enrolmentStatuses.map((s) => [s, counts.find((x) => x.cohortId === c.id && x.status === s)?.n ?? 0]),
      ) as Record<(typeof enrolmentStatuses)[number], number>,
      createdAt: c.createdAt.toISOString(),
    }));
  }

  app.get(
    '/cohorts',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: 'Cohorts of the office, with how many enrolments are in each status',
        querystring: programmeYearQuery,
        response: { 200: z.object({ items: z.array(cohortSchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const rows = await app.db
        .select()
        .from(cohorts)
        .where(programmeYearFilter(cohorts, principalOf(request), request.query))
        .orderBy(asc(cohorts.year), asc(cohorts.name));
      return { items: await present(rows) };
    },
  );

  app.get(
    '/cohorts/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: 'One cohort',
        params: uuidParam,
        response: { 200: cohortSchema, ...problemResponses },
      },
    },
    async (request) => (await present([await visibleCohort(app.db, principalOf(request), request.params.id)]))[0]!,
  );

  app.post(
    '/cohorts',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: 'Create a cohort of a programme year',
        body: z
          .object({
            name,
            programmeKey: z.string().min(1).max(100),
            year: z.number().int().min(2020).max(2100),
            officeId: z.uuid().optional().describe('administrators only'),
          })
          .strict(),
        response: { 201: cohortSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const created = await createCohort(app.db, sourceOf(request), request.body);
      return reply.status(201).send((await present([created]))[0]!);
    },
  );

  app.patch(
    '/cohorts/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: 'Rename a cohort',
        params: uuidParam,
        body: z.object({ name }).strict(),
        response: { 200: cohortSchema, ...problemResponses },
      },
    },
    async (request) => {
      const updated = await renameCohort(app.db, sourceOf(request), request.params.id, request.body.name);
      return (await present([updated]))[0]!;
    },
  );
};

export default cohortRoutes;
