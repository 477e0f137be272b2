// Case work: who handles each case (and each officer's load), the notes thread, and the documents of each checklist
// item with their review. A thin adapter over services/case-assignment.ts, case-notes.ts and documents/.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { assignCohort, assignEnrolment, handOverCases, officeWorkload } from '../../services/case-assignment.js';
import { addNote, listNotes } from '../../services/case-notes.js';
import {
  listDocuments,
  openDocument,
  reviewDocument,
  uploadDocument,
  uploadTarget,
} from '../../services/documents/documents.js';
import type { DocumentStore } from '../../services/documents/store.js';
import { principalOf } from '../plugins/auth.js';
import { acceptUploads, attachmentDisposition, readUploadedFile, uploadBody } from '../uploads.js';
import { invalid } from '../../domain/errors.js';
import { problemResponses, problemSchema, uuidParam } from '../schemas/common.js';
import { sourceOf } from '../audit.js';

const everyone = ['admin', 'manager', 'officer', 'business'] as const;
const staff = ['admin', 'manager', 'officer'] as const;

const localized = z.object({ id: z.string(), en: z.string() });
const documentSchema = z.object({
  id: z.uuid(),
  enrolmentId: z.uuid(),
  stepKey: z.string(),
  visit: z.number().int().describe('the visit of the step the version was handed in for (a loop enters a step again)'),
  itemKey: z.string(),
  version: z.number().int().describe("counts up per item across the step's visits"),
  fileName: z.string(),
  sizeBytes: z.number().int(),
  contentType: z.string(),
  sha256: z.string(),
  uploadedBy: z.uuid().nullable(),
  uploaderRole: z.string(),
  uploadedAt: z.string(),
  status: z.enum(['submitted', 'accepted', 'needs_revision']),
  reviewedBy: z.uuid().nullable(),
  reviewedAt: z.string().nullable(),
  reviewReason: z.string().nullable(),
});
const listedDocument = documentSchema.extend({
  uploaderName: z.string().nullable(),
  reviewerName: z.string().nullable(),
});
const documentListSchema = z.object({
  enrolmentId: z.uuid(),
  currentStep: z.string().nullable(),
  steps: z.array(
    z.object({
      stepKey: z.string(),
      name: localized,
      visit: z.number().int().describe('the visit whose documents count: the open one, or the last'),
      open: z.boolean().describe('documents can be uploaded: the step is the open one'),
      items: z.array(
        z.object({
          itemKey: z.string(),
          name: localized,
          required: z.boolean(),
          state: z
            .enum(['missing', 'submitted', 'accepted', 'needs_revision'])
            .describe("the state of the latest version in the step's visit"),
          versions: z.array(listedDocument).describe("the step's visit's versions, newest first"),
          earlierVersions: z.array(listedDocument).describe("the versions of the step's earlier visits, newest first"),
        }),
      ),
    }),
  ),
});
const noteSchema = z.object({
  id: z.uuid(),
  enrolmentId: z.uuid(),
  authorUserId: z.uuid().nullable(),
  authorName: z.string().nullable(),
  authorRole: z.string(),
  visibility: z.enum(['internal', 'shared']),
  body: z.string(),
  createdAt: z.string(),
});
const assigneeBody = z
  .object({
    userId: z.uuid().nullable().describe('an officer or manager of the office; null leaves the case unassigned'),
  })
  .strict();
const key = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'kunci tidak valid / invalid key');
const itemParams = uuidParam.extend({ step: key, item: key });

const problem = problemSchema;

/** A document's file as a download (the API's and the pages'): its own type, its name, never cached. */
export function sendDocument(reply: FastifyReply, opened: Awaited<ReturnType<typeof openDocument>>) {
  const { document, body } = opened;
  return reply
    .type(document.contentType)
    .header('content-length', document.sizeBytes)
    .header('content-disposition', attachmentDisposition(document.fileName))
    .header('cache-control', 'private, no-store')
    .send(body as never);
}

const caseworkRoutes: FastifyPluginAsyncZod<{ documentStore: DocumentStore }> = async (app, { documentStore }) => {
  const deps = { db: app.db, store: documentStore };

  app.put(
    '/enrolments/:id/assignee',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['case work'],
        summary: 'Assign the case to an officer (or leave it unassigned); audited with the assignee before and after',
        params: uuidParam,
        body: assigneeBody,
        response: {
          200: z.object({ enrolmentId: z.uuid(), assigneeUserId: z.uuid().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => assignEnrolment(app.db, sourceOf(request), request.params.id, request.body.userId),
  );

  app.put(
    '/cohorts/:id/assignee',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['case work'],
        summary: 'Assign every running or waitlisted case of a cohort to one officer, in one action',
        params: uuidParam,
        body: assigneeBody,
        response: {
          200: z.object({ cohortId: z.uuid(), assigneeUserId: z.uuid().nullable(), enrolmentIds: z.array(z.uuid()) }),
          ...problemResponses,
        },
      },
    },
    async (request) => assignCohort(app.db, sourceOf(request), request.params.id, request.body.userId),
  );

  app.put(
    '/users/:id/cases/assignee',
    {
      onRequest: app.authorize(['admin', 'manager']),
      schema: {
        tags: ['case work'],
        summary:
          'Hand over every running or waitlisted case of one staff member (one who left, or is away) to another, or to nobody, in one action',
        params: uuidParam,
        body: assigneeBody,
        response: {
          200: z.object({ fromUserId: z.uuid(), toUserId: z.uuid().nullable(), enrolmentIds: z.array(z.uuid()) }),
          ...problemResponses,
        },
      },
    },
    async (request) => handOverCases(app.db, sourceOf(request), request.params.id, request.body.userId),
  );

  app.get(
    '/workload',
    {
      onRequest: app.authorize(['admin', 'manager']),
      schema: {
        tags: ['case work'],
        summary: "Each officer's load in the office: open steps of their running cases and how many are overdue",
        description: 'The row with userId null counts the cases nobody handles yet.',
        querystring: z
          .object({ officeId: z.uuid().optional().describe('administrators: the office; managers get their own') })
          .strict(),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                userId: z.uuid().nullable(),
                name: z.string().nullable(),
                role: z.enum(['officer', 'manager']).nullable(),
                openSteps: z.number().int(),
                overdue: z.number().int(),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const officeId = request.query.officeId ?? principal.officeId;
      if (!officeId) {
        throw invalid('Pilih kantor / Choose an office', [
          { path: 'querystring.officeId', message: 'wajib untuk administrator / required for administrators' },
        ]);
      }
      return { items: await officeWorkload(app.db, principal, officeId) };
    },
  );

  app.get(
    '/enrolments/:id/notes',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['case work'],
        summary: "The case's notes, oldest first: all for staff, the shared ones for the business",
        params: uuidParam,
        response: { 200: z.object({ items: z.array(noteSchema) }), ...problemResponses },
      },
    },
    async (request) => ({ items: await listNotes(app.db, principalOf(request), request.params.id) }),
  );

  app.post(
    '/enrolments/:id/notes',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['case work'],
        summary: 'Add a note: internal (staff only) or shared with the business; a shared note tells the other side',
        description:
          'Notes are never edited or deleted: a correction is a new note. A business writes shared notes only.',
        params: uuidParam,
        body: z
          .object({
            body: z.string().trim().min(1, 'catatan kosong / empty note').max(5000),
            visibility: z.enum(['internal', 'shared']),
          })
          .strict(),
        response: { 201: noteSchema, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await addNote(app.db, sourceOf(request), request.params.id, request.body)),
  );

  app.get(
    '/enrolments/:id/documents',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['case work'],
        summary: "Every checklist item of the case's steps, with its document versions and their review state",
        params: uuidParam,
        response: { 200: documentListSchema, ...problemResponses },
      },
    },
    async (request) => listDocuments(app.db, principalOf(request), request.params.id),
  );

  // Uploads have a context of their own: only there is multipart/form-data a body type (a JSON route refuses it with
  // 415), and the body is a stream the handler reads, so its schema describes the API and validates nothing.
  const uploadRoutes: FastifyPluginAsyncZod = async (uploads) => {
    await acceptUploads(uploads);
    uploads.post(
      '/enrolments/:id/steps/:step/documents/:item',
      {
        onRequest: app.authorize(everyone),
        schema: {
          tags: ['case work'],
          summary:
            'Upload a new version of a checklist item’s document (multipart/form-data, the file in a field named file)',
          description:
            'PDF, JPEG, PNG, DOCX or XLSX, recognised from the content (not the name or the declared type), at most 20 MB. ' +
            'Another type is 415 and a bigger file 413, each naming the file; nothing is stored then. Only for the open ' +
            'step; an item already accepted takes no new version (409).',
          consumes: ['multipart/form-data'],
          params: itemParams,
          body: uploadBody('the document (one file)'),
          response: { 201: documentSchema, 413: problem, 415: problem, ...problemResponses },
        },
      },
      async (request, reply) => {
        const { id, step, item } = request.params;
        // One file per request, read as it streams: a bigger one is refused as soon as it passes 20 MB.
        await uploadTarget(app.db, principalOf(request), { enrolmentId: id, stepKey: step, itemKey: item });
        const { fileName, data } = await readUploadedFile(request);
        const digest = createHash('sha256').update(fileName).update('\n').update(data).digest('hex');
        if (await uploads.claimIdempotency(request, reply, digest)) return reply;
        const created = await uploadDocument(deps, sourceOf(request), {
          enrolmentId: id,
          stepKey: step,
          itemKey: item,
          fileName,
          data,
        });
        return reply.status(201).send(created);
      },
    );
  };
  await app.register(uploadRoutes);

  app.get(
    '/documents/:id',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['case work'],
        summary: "A document's file, streamed (the download is audited)",
        params: uuidParam,
        response: { ...problemResponses },
      },
    },
    async (request, reply) => sendDocument(reply, await openDocument(deps, sourceOf(request), request.params.id)),
  );

  app.post(
    '/documents/:id/review',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['case work'],
        summary: 'Review a submitted document: accepted, or needs revision with a reason; the business is told',
        description: 'A version is reviewed once; a second review of it is 409.',
        params: uuidParam,
        body: z
          .object({
            decision: z.enum(['accepted', 'needs_revision']),
            reason: z.string().trim().min(3, 'alasan terlalu pendek / reason too short').max(1000).optional(),
          })
          .strict(),
        response: { 200: documentSchema, ...problemResponses },
      },
    },
    async (request) => reviewDocument(deps, sourceOf(request), request.params.id, request.body),
  );
};

export default caseworkRoutes;
