// Cohorts: named batches of a programme year in an office (enrolling into one: enrolment-intake.ts).
import { asc, count, eq, inArray } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { programmeYearFilter, programmeYearQuery } from '../../services/programme-year-filter.js';
import { cohorts, enrolments, programmes } from '../../db/schema.js';
import { enrolmentStatuses } from '../../domain/types.js';
import { officeForWrite } from '../../services/registry-businesses.js';
import { recordAudit } from '../audit.js';
import { principalOf } from '../plugins/auth.js';
import { assertOfficeScope } from '../../services/principal.js';
import { invalid, notFound } from '../../domain/errors.js';
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

type CohortRow = typeof cohorts.$inferSelect;

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

  async function loadVisible(request: Parameters<typeof principalOf>[0], id: string) {
    const [cohort] = await app.db.select().from(cohorts).where(eq(cohorts.id, id));
    if (!cohort) throw notFound('Kohort / Cohort');
    assertOfficeScope(principalOf(request), cohort.officeId, 'Kohort / Cohort');
    return cohort;
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
    async (request) => (await present([await loadVisible(request, request.params.id)]))[0]!,
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
      const principal = principalOf(request);
      const body = request.body;
      const office = await officeForWrite(app.db, principal, body.officeId, 'body.officeId');
      const [programme] = await app.db.select().from(programmes).where(eq(programmes.key, body.programmeKey));
      if (!programme)
        throw invalid('Program tidak dikenal / Unknown programme', [
          { path: 'body.programmeKey', message: 'program tidak dikenal / unknown programme' },
        ]);
      const created = await app.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(cohorts)
          .values({ name: body.name, programmeKey: body.programmeKey, year: body.year, officeId: office.id })
          .returning();
        await recordAudit(tx, request, {
          action: 'cohort.create',
          entityType: 'cohort',
          entityId: row!.id,
          officeId: office.id,
          after: row,
        });
        return row!;
      });
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
      const before = await loadVisible(request, request.params.id);
      const updated = await app.db.transaction(async (tx) => {
        const [row] = await tx
          .update(cohorts)
          .set({ name: request.body.name })
          .where(eq(cohorts.id, before.id))
          .returning();
        await recordAudit(tx, request, {
          action: 'cohort.update',
          entityType: 'cohort',
          entityId: before.id,
          officeId: before.officeId,
          before,
          after: row,
        });
        return row!;
      });
      return (await present([updated]))[0]!;
    },
  );
};

export default cohortRoutes;
