// Visits, their follow-ups and their attachments: a thin adapter over services/visits/.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DocumentStore } from '../../services/documents/store.js';
import { attachmentTarget, openVisitAttachment, uploadVisitAttachment } from '../../services/visits/attachments.js';
import { visitFigures } from '../../services/visits/figures.js';
import { addFollowUp, completeFollowUp, openFollowUps } from '../../services/visits/follow-ups.js';
import { siteKinds } from '../../services/sites.js';
import { createVisit, finishVisit, getVisit, listVisits, recordVisitFindings } from '../../services/visits/visits.js';
import { principalOf } from '../plugins/auth.js';
import { problemResponses, problemSchema, uuidParam } from '../schemas/common.js';
import { visitFiguresSchema } from '../schemas/dashboard.js';
import { acceptUploads, attachmentDisposition, readUploadedFile, uploadBody } from '../uploads.js';
import { monthSchema } from './visit-plans.js';
import { sourceOf } from '../audit.js';

const staff = ['admin', 'manager', 'officer'] as const;

const visitSchema = z.object({
  id: z.uuid(),
  officeId: z.uuid(),
  planId: z.uuid().nullable(),
  slotKey: z.string().nullable().describe("'YYYY-MM#n': the plan's occurrence this visit is"),
  date: z.string(),
  place: z.string(),
  status: z.enum(['planned', 'closed', 'cancelled']),
  findings: z.string().nullable(),
  closedBy: z.uuid().nullable(),
  closedAt: z.string().nullable(),
  createdAt: z.string(),
});
const followUpSchema = z.object({
  id: z.uuid(),
  visitId: z.uuid(),
  action: z.string(),
  dueDate: z.string(),
  assigneeUserId: z.uuid().nullable(),
  status: z.enum(['open', 'done']),
  doneBy: z.uuid().nullable(),
  doneAt: z.string().nullable(),
});
const attachmentSchema = z.object({
  id: z.uuid(),
  fileName: z.string(),
  sizeBytes: z.number().int(),
  contentType: z.string(),
  sha256: z.string(),
  uploadedBy: z.uuid().nullable(),
  uploadedAt: z.string(),
});
const detailSchema = visitSchema.extend({
  plan: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  team: z.array(z.object({ id: z.uuid(), name: z.string() })),
  businesses: z.array(z.object({ id: z.uuid(), name: z.string(), nib: z.string() })),
  sites: z.array(z.object({ id: z.uuid(), name: z.string(), kind: z.enum(siteKinds) })),
  followUps: z.array(followUpSchema),
  attachments: z.array(attachmentSchema),
});

const place = z.string().trim().min(2, 'tempat minimal 2 karakter / a place of at least 2 characters').max(300);
/** A day the office can plan for: Postgres has no year 0, and no office plans past 2100. */
const day = z.iso
  .date()
  .refine((d) => d >= '2000-01-01' && d <= '2100-12-31', 'tanggal antara 2000 dan 2100 / a date from 2000 to 2100');
const findings = z.string().trim().max(10_000);
const businessIds = z.array(z.uuid()).max(50).describe('businesses of the registry met on the visit');
const siteIds = z
  .array(z.uuid())
  .max(50)
  .describe("sites of the office's inventory seen on the visit; closing the visit makes it their last visit");

const visitRoutes: FastifyPluginAsyncZod<{ documentStore: DocumentStore }> = async (app, { documentStore }) => {
  app.get(
    '/visits',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: "The office's visits of a month, by date: the month's visit calendar",
        querystring: z
          .object({ month: monthSchema, officeId: z.uuid().optional().describe('administrators: one office only') })
          .strict(),
        response: {
          200: z.object({ items: z.array(visitSchema.extend({ planName: z.string().nullable() })) }),
          ...problemResponses,
        },
      },
    },
    async (request) => ({ items: await listVisits(app.db, principalOf(request), request.query) }),
  );

  app.post(
    '/visits',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Record a visit that no plan made (an inventory visit, a call on a fast-growing business)',
        body: z
          .object({
            date: day,
            place,
            teamUserIds: z
              .array(z.uuid())
              .min(1, 'pilih paling sedikit satu anggota tim / choose at least one team member')
              .max(20),
            businessIds: businessIds.optional(),
            siteIds: siteIds.optional(),
            findings: findings.optional(),
            officeId: z.uuid().optional().describe('administrators only'),
          })
          .strict(),
        response: { 201: detailSchema, ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createVisit(app.db, sourceOf(request), request.body)),
  );

  app.get(
    '/visits/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'A visit with its team, businesses, sites seen, follow-ups and attachments (another office’s is 404)',
        params: uuidParam,
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => getVisit(app.db, principalOf(request), request.params.id),
  );

  app.patch(
    '/visits/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Record findings, the place, businesses met or sites seen, while the visit is planned (409 after)',
        params: uuidParam,
        body: z
          .object({
            findings: findings.optional(),
            place: place.optional(),
            businessIds: businessIds.optional(),
            siteIds: siteIds.optional(),
          })
          .strict()
          .refine((b) => Object.keys(b).length > 0, { message: 'tidak ada yang diubah / nothing to change' })
          .meta({ minProperties: 1 }),
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => recordVisitFindings(app.db, sourceOf(request), request.params.id, request.body),
  );

  app.post(
    '/visits/:id/close',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Close a visit as done, by the acting officer; it needs findings (given here or recorded before)',
        description: 'A visit is closed or cancelled once: a second is 409.',
        params: uuidParam,
        body: z.object({ findings: findings.min(1).optional() }).strict(),
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => finishVisit(app.db, sourceOf(request), request.params.id, 'closed', request.body.findings),
  );

  app.post(
    '/visits/:id/cancel',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Cancel a planned visit: its team is no longer reminded',
        params: uuidParam,
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => finishVisit(app.db, sourceOf(request), request.params.id, 'cancelled'),
  );

  app.post(
    '/visits/:id/follow-ups',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Add a follow-up action with a due date: reminded, then overdue, then escalated to the managers',
        description:
          'A due date on a closed day moves to the next working day of the office calendar; a past one is 400.',
        params: uuidParam,
        body: z
          .object({
            action: z.string().trim().min(3).max(1000),
            dueDate: day,
            assigneeUserId: z.uuid().optional().describe('an officer of the office; else the visit team'),
          })
          .strict(),
        response: { 201: followUpSchema, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await addFollowUp(app.db, sourceOf(request), request.params.id, request.body)),
  );

  app.get(
    '/visit-follow-ups',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Follow-ups still open, by due date',
        querystring: z.object({ officeId: z.uuid().optional().describe('administrators: one office only') }).strict(),
        response: {
          200: z.object({ items: z.array(followUpSchema.extend({ place: z.string(), visitDate: z.string() })) }),
          ...problemResponses,
        },
      },
    },
    async (request) => ({ items: await openFollowUps(app.db, principalOf(request), request.query.officeId) }),
  );

  app.post(
    '/visit-follow-ups/:id/done',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Mark a follow-up done (a second time is 409)',
        params: uuidParam,
        response: { 200: followUpSchema, ...problemResponses },
      },
    },
    async (request) => completeFollowUp(app.db, sourceOf(request), request.params.id),
  );

  app.get(
    '/visit-figures',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: 'Visits planned against done per month and per team member, follow-ups awaiting, prospects converted',
        querystring: z
          .object({
            year: z.coerce.number().int().min(2000).max(2100),
            officeId: z.uuid().optional().describe('administrators: one office only'),
          })
          .strict(),
        response: {
          200: visitFiguresSchema,
          ...problemResponses,
        },
      },
    },
    async (request) => visitFigures(app.db, principalOf(request), request.query),
  );

  const deps = { db: app.db, store: documentStore };

  const uploadRoutes: FastifyPluginAsyncZod = async (uploads) => {
    await acceptUploads(uploads);
    uploads.post(
      '/visits/:id/attachments',
      {
        onRequest: app.authorize(staff),
        schema: {
          tags: ['field visits'],
          summary: 'Attach a photo or document to a visit (multipart/form-data, the file in a field named file)',
          description:
            'JPEG, PNG, PDF, DOCX or XLSX, recognised from the content, at most 20 MB. Another type is 415 and a ' +
            'bigger file 413; nothing is stored then.',
          consumes: ['multipart/form-data'],
          params: uuidParam,
          body: uploadBody('the photo or document (one file)'),
          response: {
            201: attachmentSchema.extend({ visitId: z.uuid() }),
            413: problemSchema,
            415: problemSchema,
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        await attachmentTarget(app.db, principalOf(request), request.params.id);
        const file = await readUploadedFile(request);
        const digest = createHash('sha256').update(file.fileName).update('\n').update(file.data).digest('hex');
        if (await uploads.claimIdempotency(request, reply, digest)) return reply;
        return reply.status(201).send(await uploadVisitAttachment(deps, sourceOf(request), request.params.id, file));
      },
    );
  };
  await app.register(uploadRoutes);

  app.get(
    '/visit-attachments/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['field visits'],
        summary: "An attachment's file, streamed as a download (audited)",
        params: uuidParam,
        response: { ...problemResponses },
      },
    },
    async (request, reply) => {
      const { attachment, body } = await openVisitAttachment(deps, sourceOf(request), request.params.id);
      return reply
        .type(attachment.contentType)
        .header('content-length', attachment.sizeBytes)
        .header('content-disposition', attachmentDisposition(attachment.fileName))
        .header('cache-control', 'private, no-store')
        .send(body as never);
    },
  );
};

export default visitRoutes;
