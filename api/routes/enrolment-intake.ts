// Enrolling: one business (POST /enrolments), or a list, a sentra or a filter into a cohort (POST /cohorts/{id}/enrolments).
// Each enrolment is active when a quota place is free, else waitlisted (export-oriented first, then arrival); the
// workflows of the active ones start after the commit, and the reconciler starts any start that was lost.
import type { FastifyBaseLogger } from 'fastify';
import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cohorts } from '../../db/schema.js';
import { enrolmentStatuses } from '../../domain/types.js';
import {
  alreadyEnrolled,
  enrolBusiness,
  enrolDirect,
  enrolMany,
  intakeOf,
  noteLatestVersion,
  latestProgrammeVersion,
  maxBulk,
  noQuota,
  programmeTemplate,
  selectBusinesses,
  startTargetOf,
  waitlistPosition,
  type DirectOutcome,
  type EnrolmentRow,
  type Intake,
  type Selection,
} from '../../services/enrolment-intake.js';
import { createStarter, startKnownEnrolments, type StartTarget } from '../../services/workflows.js';
import { principalOf } from '../plugins/auth.js';
import { assertOfficeScope } from '../../services/principal.js';
import { type FieldIssue, conflict, invalid, notFound } from '../../domain/errors.js';
import { problemResponses, uuidParam } from '../schemas/common.js';

const staff = ['admin', 'manager', 'officer'] as const;

export const intakeEnrolmentSchema = z.object({
  id: z.uuid(),
  workflowId: z.string(),
  businessId: z.uuid(),
  officeId: z.uuid(),
  programmeKey: z.string(),
  programmeVersion: z.number().int(),
  year: z.number().int(),
  round: z.number().int(),
  cohortId: z.uuid().nullable(),
  quotaId: z.uuid().nullable(),
  status: z.enum(enrolmentStatuses),
  priority: z.number().int().describe('1 for export-oriented IKM, who go first on the waitlist'),
  waitlistPosition: z.number().int().nullable().describe('1 = next to get a place; null when not waitlisted'),
  createdAt: z.string(),
  activatedAt: z.string().nullable(),
});

const year = z.number().int().min(2020).max(2100);
const programmeKey = z.string().min(1).max(100);

const enrolBody = z
  .object({
    businessId: z.uuid(),
    cohortId: z.uuid().optional().describe('the cohort gives the programme and year'),
    programmeKey: programmeKey.optional(),
    year: year.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.cohortId) return;
    if (!b.programmeKey)
      ctx.addIssue({
        code: 'custom',
        path: ['programmeKey'],
        message: 'wajib tanpa cohortId / required without cohortId',
      });
    if (b.year === undefined)
      ctx.addIssue({ code: 'custom', path: ['year'], message: 'wajib tanpa cohortId / required without cohortId' });
  })
  .meta({ anyOf: [{ required: ['cohortId'] }, { required: ['programmeKey', 'year'] }] });

const bulkBody = z
  .object({
    businessIds: z
      .array(z.uuid())
      .min(1)
      .max(maxBulk)
      .refine((ids) => new Set(ids).size === ids.length, 'ada id yang berulang / an id is listed twice')
      .optional(),
    sentraId: z.uuid().optional(),
    filter: z
      .object({
        q: z.string().trim().min(1).max(100).optional(),
        regionCode: z
          .string()
          .regex(/^\d{2}(\d{2})?$/, 'kode Kemendagri 2 atau 4 digit / 2- or 4-digit Kemendagri code')
          .optional(),
        kbli: z
          .array(z.string().regex(/^\d{1,5}$/, 'awalan KBLI 1–5 digit / KBLI prefix of 1–5 digits'))
          .min(1)
          .max(20)
          .optional(),
        sentraId: z.uuid().optional(),
        exportOriented: z.boolean().optional(),
        certified: z.boolean().optional(),
      })
      .strict()
      .optional()
      .describe('e.g. {"regionCode": "6371", "kbli": ["10", "11"]}: food and drink IKM of Banjarmasin'),
  })
  .strict()
  .superRefine((b, ctx) => {
    const given = [b.businessIds, b.sentraId, b.filter].filter((v) => v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          'isi tepat satu: businessIds, sentraId atau filter / give exactly one of businessIds, sentraId or filter',
      });
    }
  })
  .meta({ oneOf: [{ required: ['businessIds'] }, { required: ['sentraId'] }, { required: ['filter'] }] });

const bulkResponse = z.object({
  active: z.number().int(),
  waitlisted: z.number().int(),
  enrolments: z.array(
    z.object({ businessId: z.uuid(), enrolmentId: z.uuid(), status: z.enum(['active', 'waitlisted']) }),
  ),
  skipped: z.array(z.object({ businessId: z.uuid(), reason: z.string() })),
});

async function present(db: Parameters<typeof waitlistPosition>[0], e: EnrolmentRow) {
  return {
    id: e.id,
    workflowId: e.workflowId,
    businessId: e.businessId,
    officeId: e.officeId,
    programmeKey: e.programmeKey,
    programmeVersion: e.programmeVersion,
    year: e.year,
    round: e.round,
    cohortId: e.cohortId,
    quotaId: e.quotaId,
    status: e.status,
    priority: e.priority,
    waitlistPosition: await waitlistPosition(db, e),
    createdAt: e.createdAt.toISOString(),
    activatedAt: e.activatedAt?.toISOString() ?? null,
  };
}

const invalidEnrolment = (issue: FieldIssue) =>
  invalid(`Data pendaftaran tidak valid / Invalid enrolment: ${issue.message}`, [issue]);

const intakeRoutes: FastifyPluginAsyncZod = async (app) => {
  /** After the commit: a failed start stays in the outbox for the reconciler, so the enrolment stands either way. */
  async function startAfterCommit(log: FastifyBaseLogger, started: Promise<number>) {
    try {
      await started;
    } catch (err) {
      log.warn({ err }, 'workflow start after commit failed; the reconciler will retry');
    }
  }

  app.post(
    '/enrolments',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: 'Enrol one business in a programme year: active if a quota place is free, else waitlisted',
        body: enrolBody,
        response: { 201: intakeEnrolmentSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      const source = { requestId: request.id, principal };
      // The cohort, if any, names the programme year; everything else comes in one statement (enrolDirect).
      const [cohort] = body.cohortId ? await app.db.select().from(cohorts).where(eq(cohorts.id, body.cohortId)) : [];
      const target = {
        programmeKey: cohort?.programmeKey ?? body.programmeKey ?? '',
        year: cohort?.year ?? body.year ?? 0,
        cohortId: cohort?.id ?? null,
      };
      // What the checks below refuse of the cohort alone; the rest depends on the business, which enrolDirect checks
      // the same way (its office) before it writes anything.
      const cohortRefused =
        body.cohortId !== undefined &&
        (!cohort ||
          (principal.role !== 'admin' && cohort.officeId !== principal.officeId) ||
          (body.programmeKey !== undefined && body.programmeKey !== cohort.programmeKey) ||
          (body.year !== undefined && body.year !== cohort.year));
      const direct: DirectOutcome = cohortRefused
        ? { found: await intakeOf(app.db, body.businessId, target), written: null, triedFreePlace: false }
        : await enrolDirect(
            app.db,
            source,
            target,
            body.businessId,
            cohort?.officeId ?? (principal.role === 'admin' ? null : principal.officeId),
          );
      const found = direct.found;
      const business = found?.business;
      if (!business || (principal.role !== 'admin' && business.officeId !== principal.officeId)) {
        throw invalidEnrolment({
          path: 'body.businessId',
          message: 'tidak ada usaha dengan id ini / no such business',
        });
      }
      if (body.cohortId) {
        if (!cohort || (principal.role !== 'admin' && cohort.officeId !== principal.officeId)) {
          throw invalidEnrolment({ path: 'body.cohortId', message: 'tidak ada kohort dengan id ini / no such cohort' });
        }
        if (cohort.officeId !== business.officeId) {
          throw invalidEnrolment({
            path: 'body.cohortId',
            message: 'kohort milik kantor lain / the cohort belongs to another office',
          });
        }
        if (body.programmeKey && body.programmeKey !== cohort.programmeKey) {
          throw invalidEnrolment({
            path: 'body.programmeKey',
            message: `kohort ini untuk ${cohort.programmeKey} / this cohort is for ${cohort.programmeKey}`,
          });
        }
        if (body.year !== undefined && body.year !== cohort.year) {
          throw invalidEnrolment({
            path: 'body.year',
            message: `kohort ini untuk ${cohort.year} / this cohort is for ${cohort.year}`,
          });
        }
      }
      if (direct.written === 'duplicate') throw conflict(alreadyEnrolled(target));
      let enrolment: EnrolmentRow;
      let intake: Intake;
      if (direct.written) {
        ({ enrolment, intake } = direct.written);
      } else {
        const template = found.programmeVersion
          ? await programmeTemplate(app.db, target.programmeKey, found.programmeVersion)
          : null;
        if (!found.programmeVersion || !template)
          throw invalidEnrolment({ path: 'body.programmeKey', message: 'program tidak dikenal / unknown programme' });
        noteLatestVersion(target.programmeKey, found.programmeVersion, template);
        intake = { ...target, officeId: business.officeId, programmeVersion: found.programmeVersion, template };
        const home = found.homeQuotaId;
        if (!home) throw conflict(noQuota(intake, business.regionCode));
        const outcome = await enrolBusiness(app.db, source, intake, business, home, {
          triedFreePlace: direct.triedFreePlace,
        });
        if (!outcome.ok) throw conflict(outcome.reason);
        enrolment = outcome.enrolment;
      }
      if (enrolment.status === 'active') {
        await startAfterCommit(
          request.log,
          startKnownEnrolments(app.db, app.temporal, app.taskQueue, [startTargetOf(enrolment, intake)]),
        );
      }
      return reply.status(201).send(await present(app.db, enrolment));
    },
  );

  app.post(
    '/cohorts/:id/enrolments',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: 'Enrol a list of businesses, a sentra or a filter into a cohort, export-oriented first',
        params: uuidParam,
        body: bulkBody,
        response: { 200: bulkResponse, ...problemResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const [cohort] = await app.db.select().from(cohorts).where(eq(cohorts.id, request.params.id));
      if (!cohort) throw notFound('Kohort / Cohort');
      assertOfficeScope(principal, cohort.officeId, 'Kohort / Cohort');
      const published = await latestProgrammeVersion(app.db, cohort.programmeKey);
      if (!published)
        throw conflict(
          `Program ${cohort.programmeKey} tidak punya versi terbit / Programme ${cohort.programmeKey} has no published version`,
        );
      const { businessIds, sentraId, filter } = request.body;
      const selection: Selection = businessIds ? { businessIds } : sentraId ? { sentraId } : { filter: filter! };
      const selected = await selectBusinesses(app.db, cohort.officeId, selection);
      const intake = {
        programmeKey: cohort.programmeKey,
        year: cohort.year,
        officeId: cohort.officeId,
        cohortId: cohort.id,
        programmeVersion: published.version,
        template: published.template,
      };
      const starter = createStarter(app.db, app.temporal, app.taskQueue);
      const result = await enrolMany(
        app.db,
        { requestId: request.id, principal },
        intake,
        selected,
        (target: StartTarget) => starter.add(target),
      );
      await startAfterCommit(request.log, starter.finish());
      return {
        active: result.enrolments.filter((e) => e.status === 'active').length,
        waitlisted: result.enrolments.filter((e) => e.status === 'waitlisted').length,
        ...result,
      };
    },
  );
};

export default intakeRoutes;
