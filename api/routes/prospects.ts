// Prospects found in the field and their way into the registry: a thin adapter over services/registry-prospects.ts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { kbliSchema, nibSchema, phoneSchema } from '../../services/registry.js';
import {
  addProspect,
  getProspect,
  listProspects,
  registerProspect,
  updateProspect,
} from '../../services/registry-prospects.js';
import { principalOf } from '../plugins/auth.js';
import { problemResponses, uuidParam } from '../schemas/common.js';
import { sourceOf } from '../audit.js';

const staff = ['admin', 'manager', 'officer'] as const;

const prospectSchema = z.object({
  id: z.uuid(),
  officeId: z.uuid(),
  name: z.string(),
  ownerName: z.string().nullable(),
  address: z.string(),
  kelurahan: z.string(),
  regionCode: z.string(),
  nib: z.string().nullable(),
  kbli: z.string().nullable(),
  phone: z.string().nullable(),
  products: z.array(z.string()),
  foundOnVisitId: z.uuid().nullable(),
  businessId: z.uuid().nullable().describe('the business of the registry, once registered'),
  createdAt: z.string(),
});

const ownerName = z.string().trim().min(2).max(200);
// The registry's phone rule, with a length a request may not exceed.
const phone = z.string().max(30).pipe(phoneSchema);

const prospectRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/prospects',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Prospects of the office by name (the first 500)',
        querystring: z
          .object({
            registered: z
              .enum(['true', 'false'])
              .transform((v) => v === 'true')
              .optional()
              .describe('only those already in the registry, or only those not yet'),
            visitId: z.uuid().optional().describe('only those found on this visit'),
            officeId: z.uuid().optional().describe('administrators: one office only'),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(prospectSchema) }), ...problemResponses },
      },
    },
    async (request) => ({ items: await listProspects(app.db, principalOf(request), request.query) }),
  );

  app.post(
    '/prospects',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Record a business found in the field as a prospect',
        description:
          'One business is one prospect: an NIB already in the registry or among the prospects is 409 naming it; a ' +
          'likely duplicate (a similar name and address in the same kelurahan) is 409 with the candidates, until the ' +
          'officer sends confirmedDistinct: true.',
        body: z
          .object({
            name: z.string().trim().min(2).max(200),
            ownerName: ownerName.optional(),
            address: z.string().trim().min(3).max(500),
            kelurahan: z.string().trim().min(2).max(100),
            regionCode: z
              .string()
              .regex(/^\d{4}$/, 'kode kabupaten/kota 4 digit / 4-digit kabupaten/kota code')
              .describe('Kemendagri kabupaten/kota code'),
            nib: nibSchema.optional(),
            kbli: kbliSchema.optional(),
            phone: phone.optional(),
            products: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
            visitId: z.uuid().optional().describe('the visit it was found on'),
            confirmedDistinct: z.boolean().optional(),
            officeId: z.uuid().optional().describe('administrators only'),
          })
          .strict(),
        response: { 201: prospectSchema, ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await addProspect(app.db, sourceOf(request), request.body)),
  );

  app.get(
    '/prospects/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'One prospect',
        params: uuidParam,
        response: { 200: prospectSchema, ...problemResponses },
      },
    },
    async (request) => getProspect(app.db, principalOf(request), request.params.id),
  );

  app.patch(
    '/prospects/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Add what was learnt later: the NIB from OSS, the KBLI, the owner, the phone',
        params: uuidParam,
        body: z
          .object({
            nib: nibSchema.optional(),
            kbli: kbliSchema.optional(),
            ownerName: ownerName.optional(),
            phone: phone.optional(),
          })
          .strict()
          .refine((b) => Object.keys(b).length > 0, { message: 'tidak ada yang diubah / nothing to change' })
          .meta({ minProperties: 1 }),
        response: { 200: prospectSchema, ...problemResponses },
      },
    },
    async (request) => updateProspect(app.db, sourceOf(request), request.params.id, request.body),
  );

  app.post(
    '/prospects/:id/register',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Enter the prospect into the registry, from where it is enrolled in programmes',
        description: 'Needs an NIB, a KBLI and the owner’s name: without them 422 naming each; nothing is written.',
        params: uuidParam,
        response: { 201: z.object({ prospect: prospectSchema, businessId: z.uuid() }), ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await registerProspect(app.db, sourceOf(request), request.params.id)),
  );
};

export default prospectRoutes;
