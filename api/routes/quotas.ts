// Annual quotas: places per programme and year for an office, optionally for one of its regions. Managers set them and
// raise or lower them (never below the places in use); staff see places used and free and how many wait. The
// operations are services/quota-settings.ts; these routes give them their HTTP shape.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { programmeYearQuery } from '../../services/programme-year-filter.js';
import { changeQuota, createQuota, getQuota, listQuotas } from '../../services/quota-settings.js';
import { sourceOf } from '../audit.js';
import { principalOf } from '../plugins/auth.js';
import { problemResponses, uuidParam } from '../schemas/common.js';

const staff = ['admin', 'manager', 'officer'] as const;
const managers = ['admin', 'manager'] as const;

const quotaSchema = z.object({
  id: z.uuid(),
  programmeKey: z.string(),
  year: z.number().int(),
  officeId: z.uuid(),
  regionCode: z.string().nullable().describe('null: the whole office'),
  placesLimit: z.number().int(),
  placesUsed: z.number().int(),
  placesFree: z.number().int(),
  waitlisted: z.number().int(),
  poolingDate: z.string().nullable().describe('from this date (office time zone) unused places serve the whole office'),
  pooled: z.boolean().describe('the pooling date has passed'),
  dailyCapPerAssistant: z.number().int().nullable().describe('applications a Pendamping PPH may verify per day'),
  updatedAt: z.string(),
});

const places = z.number().int().min(0).max(1_000_000);
const dailyCap = z.number().int().min(1).max(100);
const isoDate = z.iso.date('tanggal YYYY-MM-DD / date as YYYY-MM-DD');

const createBody = z
  .object({
    programmeKey: z.string().min(1).max(100),
    year: z.number().int().min(2020).max(2100),
    regionCode: z
      .string()
      .regex(/^\d{4}$/, 'kode kabupaten/kota Kemendagri 4 digit / 4-digit Kemendagri code')
      .optional(),
    placesLimit: places,
    poolingDate: isoDate.optional(),
    dailyCapPerAssistant: dailyCap.optional(),
    officeId: z.uuid().optional().describe('administrators only'),
  })
  .strict();

const patchBody = z
  .object({
    placesLimit: places.optional(),
    poolingDate: isoDate.nullable().optional(),
    dailyCapPerAssistant: dailyCap.nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'tidak ada yang diubah / nothing to change' })
  // The same rule, said in the OpenAPI document.
  .meta({ minProperties: 1 });

const quotaRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/quotas',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['quotas'],
        summary: 'Quotas with places used and free and the waitlist length',
        querystring: programmeYearQuery,
        response: { 200: z.object({ items: z.array(quotaSchema) }), ...problemResponses },
      },
    },
    async (request) => ({ items: await listQuotas(app.db, principalOf(request), request.query) }),
  );

  app.get(
    '/quotas/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['quotas'],
        summary: 'One quota',
        params: uuidParam,
        response: { 200: quotaSchema, ...problemResponses },
      },
    },
    async (request) => getQuota(app.db, principalOf(request), request.params.id),
  );

  app.post(
    '/quotas',
    {
      onRequest: app.authorize(managers),
      schema: {
        tags: ['quotas'],
        summary: 'Set the places of a programme year, for the office or one of its regions',
        body: createBody,
        response: { 201: quotaSchema, ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createQuota(app.db, sourceOf(request), request.body)),
  );

  app.patch(
    '/quotas/:id',
    {
      onRequest: app.authorize(managers),
      schema: {
        tags: ['quotas'],
        summary:
          'Raise or lower the places (never below those in use: 409), change the pooling date or the daily cap; a raise promotes from the waitlist at once',
        params: uuidParam,
        body: patchBody,
        response: { 200: quotaSchema.extend({ promoted: z.array(z.uuid()) }), ...problemResponses },
      },
    },
    async (request) => {
      const deps = { db: app.db, temporal: app.temporal, taskQueue: app.taskQueue };
      const { startFailed, ...changed } = await changeQuota(deps, sourceOf(request), request.params.id, request.body);
      if (startFailed !== undefined) {
        request.log.warn({ err: startFailed }, 'workflow start after a quota raise failed; the reconciler will retry');
      }
      return changed;
    },
  );
};

export default quotaRoutes;
