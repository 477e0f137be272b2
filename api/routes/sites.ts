// The site inventory (potential industrial areas and idle factories): a thin adapter over services/sites.ts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { reportFormats } from '../../services/report-writers.js';
import {
  createSite,
  getSite,
  listSites,
  siteKinds,
  sitesByWilayah,
  sitesReport,
  siteStates,
  updateSite,
} from '../../services/sites.js';
import { principalOf } from '../plugins/auth.js';
import { problemResponses, uuidParam } from '../schemas/common.js';
import { acceptReportCompression, sendReport } from '../report-replies.js';
import { sourceOf } from '../audit.js';

const staff = ['admin', 'manager', 'officer'] as const;

const siteSchema = z.object({
  id: z.uuid(),
  officeId: z.uuid(),
  kind: z.enum(siteKinds),
  name: z.string(),
  regionCode: z.string(),
  regionName: z.string(),
  wilayah: z.string().nullable().describe("the province's grouping (Kaltim's I–III)"),
  areaHa: z.number().nullable(),
  owner: z.string().nullable(),
  state: z.enum(siteStates),
  lastVisitOn: z.string().nullable(),
  lastVisitId: z.uuid().nullable(),
  notes: z.string().nullable(),
  updatedAt: z.string(),
});
const siteDetailSchema = siteSchema.extend({
  visits: z
    .array(
      z.object({
        id: z.uuid(),
        date: z.string(),
        place: z.string(),
        status: z.enum(['planned', 'closed', 'cancelled']),
      }),
    )
    .describe('the visits that saw the site, the latest first'),
});

const filter = z.object({
  regionCode: z
    .string()
    .regex(/^\d{4}$/, 'kode kabupaten/kota 4 digit / 4-digit kabupaten/kota code')
    .optional(),
  wilayah: z.enum(['I', 'II', 'III']).optional(),
  kind: z.enum(siteKinds).optional(),
  state: z.enum(siteStates).optional(),
  notVisitedInMonths: z.coerce
    .number()
    .int()
    .min(1)
    .max(120)
    .optional()
    .describe('only sites never visited, or last visited this many months ago or longer: those due a visit'),
  officeId: z.uuid().optional().describe('administrators: one office only'),
});

const fields = {
  kind: z.enum(siteKinds),
  name: z.string().trim().min(3).max(200),
  regionCode: z
    .string()
    .regex(/^\d{4}$/, 'kode kabupaten/kota 4 digit / 4-digit kabupaten/kota code')
    .describe('Kemendagri kabupaten/kota code'),
  areaHa: z.number().positive().max(1_000_000).nullable().describe('hectares'),
  owner: z.string().trim().max(300).nullable(),
  state: z.enum(siteStates),
  notes: z.string().trim().max(5000).nullable(),
  lastVisitId: z
    .uuid()
    .nullable()
    .describe('the visit it was last seen on; the site takes its date, and the visit joins its history'),
};

const siteRoutes: FastifyPluginAsyncZod = async (app) => {
  await acceptReportCompression(app);

  app.get(
    '/sites',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['site inventory'],
        summary: 'The site inventory, by kabupaten/kota and name, filtered and paged',
        querystring: filter
          .extend({
            limit: z.coerce.number().int().min(1).max(200).default(50),
            offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(siteSchema), total: z.number().int() }), ...problemResponses },
      },
    },
    async (request) => listSites(app.db, principalOf(request), request.query),
  );

  app.get(
    '/sites/by-wilayah',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['site inventory'],
        summary: 'Sites and hectares by wilayah and kind, for the same filters',
        querystring: filter.strict(),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                wilayah: z.string().nullable(),
                kind: z.enum(siteKinds),
                n: z.number().int(),
                areaHa: z.number(),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => ({ items: await sitesByWilayah(app.db, principalOf(request), request.query) }),
  );

  app.get(
    '/sites/export',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['site inventory'],
        summary: 'The filtered inventory as CSV or XLSX (streamed)',
        querystring: filter
          .extend({
            format: z.enum(reportFormats).default('csv'),
            lang: z.enum(['id', 'en']).default('id').describe('language of the headers and names'),
          })
          .strict(),
        produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: { 200: z.string().describe('text/csv, or an XLSX workbook'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { format, lang, ...f } = request.query;
      const report = await sitesReport(app.db, principalOf(request), f, lang);
      return sendReport(request, reply, report, { format, lang, fileName: 'pendamping-sites' });
    },
  );

  app.post(
    '/sites',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['site inventory'],
        summary: 'Add a potential industrial area or an idle factory to the inventory',
        body: z
          .object({
            ...fields,
            areaHa: fields.areaHa.optional(),
            owner: fields.owner.optional(),
            notes: fields.notes.optional(),
            lastVisitId: fields.lastVisitId.optional(),
            officeId: z.uuid().optional().describe('administrators only'),
          })
          .strict(),
        response: { 201: siteDetailSchema, ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createSite(app.db, sourceOf(request), request.body)),
  );

  app.get(
    '/sites/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['site inventory'],
        summary: 'One site, with the visits that saw it',
        params: uuidParam,
        response: { 200: siteDetailSchema, ...problemResponses },
      },
    },
    async (request) => getSite(app.db, principalOf(request), request.params.id),
  );

  app.patch(
    '/sites/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['site inventory'],
        summary: 'Change a site: its state, owner, notes, or the visit it was last seen on',
        params: uuidParam,
        body: z
          .object(fields)
          .partial()
          .strict()
          .refine((b) => Object.keys(b).length > 0, { message: 'tidak ada yang diubah / nothing to change' })
          .meta({ minProperties: 1 }),
        response: { 200: siteDetailSchema, ...problemResponses },
      },
    },
    async (request) => updateSite(app.db, sourceOf(request), request.params.id, request.body),
  );
};

export default siteRoutes;
