// The case work's forms and downloads on the pages: an upload per checklist item, a review per document, a note on
// the thread, the case's assignee, and a document's file. Each write goes through its JSON route in-process (callApi), so it passes the
// very same checks, idempotency store and audit as the API; a refusal comes back as the page again with the reason
// beside the form that asked, and nothing stored. A download streams from the same service as the API's.
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../domain/errors.js';
import { maxDocumentBytes, openDocument, tooLarge } from '../../services/documents/documents.js';
import type { DocumentStore } from '../../services/documents/store.js';
import { inProgressType } from '../plugins/idempotency.js';
import { problemOf, type Problem } from '../problem.js';
import { sendDocument } from '../routes/casework.js';
import { businessHome } from './business-home.js';
import { assertEnrolmentId, casePage, one } from './case-pages.js';
import { assigneeChoiceProblem, assigneeOfChoice, type CaseworkRefusal } from './casework-views.js';
import { callApi } from './session.js';

type Back = 'home' | undefined;
const backOf = (request: FastifyRequest): Back =>
  (request.query as { back?: string } | undefined)?.back === 'home' ? 'home' : undefined;

/** Where a form returns to: the business's own page or the case, at the part of it the form was in. */
const placeOf = (id: string, back: Back, anchor: string) =>
  back === 'home' ? `/#${anchor}-${id.slice(0, 8)}` : `/enrolments/${id}#${anchor}-${id.slice(0, 8)}`;

function answerRefused(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  back: Back,
  refusal: CaseworkRefusal,
) {
  const status = refusal.problem.status;
  return back === 'home'
    ? businessHome(app, request, reply, { refusal: { enrolmentId: id, ...refusal } }, status)
    : casePage(app, request, reply, id, refusal, status);
}

const isUuid = (value: string) => z.uuid().safeParse(value).success;

/** A page's own refusal, before the API is asked (no file chosen, two chosen), in the API's problem shape. */
const formProblem = (status: number, path: string, message: string): Problem => ({
  type: `https://pendamping.id/problems/${status}`,
  title: 'Permintaan tidak valid / Bad request',
  status,
  detail: message,
  errors: [{ path, message }],
});

/** A file as the upload form sent it: the bytes when within the limit, else only that it was too large. */
interface ReceivedFile {
  fileName: string;
  data: Buffer | null;
}

type UploadForm = Record<string, string | ReceivedFile | undefined>;

async function uploadPages(app: FastifyInstance) {
  // Files are read before the handler (and the CSRF check) runs: only someone logged in gets that far. The session
  // cookie is SameSite=Lax, so another site's post arrives here anonymous and is turned away unread.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.principal) return reply.redirect('/login', 303);
  });
  // The form's fields and its files arrive in one body; the CSRF check (the pages' preHandler) reads the fields. A file
  // is read only up to one byte past the limit; the rest of a bigger one is dropped unread.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: maxDocumentBytes + 1, files: 2, fields: 4, parts: 6, fieldSize: 1024, headerPairs: 50 },
    async onFile(part: MultipartFile) {
      const chunks: Buffer[] = [];
      for await (const chunk of part.file as AsyncIterable<Buffer>) chunks.push(chunk);
      const received: ReceivedFile = {
        fileName: part.filename,
        data: part.file.truncated ? null : Buffer.concat(chunks),
      };
      (part as unknown as { value: ReceivedFile }).value = received;
    },
  });

  app.post<{ Params: { id: string; step: string; item: string } }>(
    '/enrolments/:id/steps/:step/documents/:item',
    async (request, reply) => {
      const { id, step, item } = request.params;
      assertEnrolmentId(id);
      const back = backOf(request);
      const form = (request.body ?? {}) as UploadForm;
      // A file chosen from the phone's files or a photo from its camera: the one that was chosen.
      const chosen = [form.file, form.photo].filter(
        (f): f is ReceivedFile => typeof f === 'object' && f !== null && (f.fileName !== '' || f.data?.length !== 0),
      );
      const refuse = (problem: Problem) =>
        answerRefused(app, request, reply, id, back, { action: 'upload', target: item, problem });
      const ctx = request.pageContext(reply);
      if (chosen.length !== 1) {
        return refuse(formProblem(400, 'body.file', chosen.length === 0 ? ctx.t.noFile : ctx.t.chooseOneFile));
      }
      const file = chosen[0]!;
      if (!file.data) return refuse(problemOf(tooLarge(file.fileName)).toProblem());
      const answer = await callApi(app, request, {
        method: 'POST',
        url: `/api/v1/enrolments/${id}/steps/${encodeURIComponent(step)}/documents/${encodeURIComponent(item)}`,
        file: { fileName: file.fileName, data: file.data },
        idempotencyKey: typeof form.idempotencyKey === 'string' ? form.idempotencyKey : undefined,
      });
      if (answer.ok || answer.problem?.type === inProgressType) {
        return reply.redirect(placeOf(id, back, `item-${item}`), 303);
      }
      if (answer.status === 404) throw notFound('Pendaftaran / Enrolment');
      return refuse(answer.problem!);
    },
  );
}

export default async function caseworkPages(app: FastifyInstance, options: { documentStore: DocumentStore }) {
  await app.register(uploadPages);

  app.get<{ Params: { id: string } }>('/documents/:id', async (request, reply) => {
    if (!request.principal) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    if (!isUuid(request.params.id)) throw notFound('Dokumen / Document');
    const opened = await openDocument(
      { db: app.db, store: options.documentStore },
      { requestId: request.id, principal: request.principal },
      request.params.id,
    );
    return sendDocument(reply, opened);
  });

  app.post<{ Params: { id: string; doc: string } }>('/enrolments/:id/documents/:doc/review', async (request, reply) => {
    if (!request.principal) return reply.redirect('/login', 303);
    const { id, doc } = request.params;
    assertEnrolmentId(id);
    if (!isUuid(doc)) throw notFound('Dokumen / Document');
    const form = (request.body ?? {}) as Record<string, string | string[] | undefined>;
    const decision = one(form.decision);
    const reason = one(form.reason).trim();
    const answer = await callApi<{ enrolmentId: string }>(app, request, {
      method: 'POST',
      url: `/api/v1/documents/${doc}/review`,
      // A reason goes with a revision only; an acceptance needs none. A missing decision is the API's to name.
      body: {
        ...(decision ? { decision } : {}),
        ...(decision === 'needs_revision' && reason ? { reason } : {}),
      },
      idempotencyKey: one(form.idempotencyKey),
    });
    if (answer.ok || answer.problem?.type === inProgressType)
      return reply.redirect(placeOf(id, undefined, 'documents'), 303);
    if (answer.status === 404) throw notFound('Dokumen / Document');
    return answerRefused(app, request, reply, id, undefined, {
      action: 'review',
      target: doc,
      problem: answer.problem!,
      values: { decision, reason },
    });
  });

  app.post<{ Params: { id: string } }>('/enrolments/:id/assignee', async (request, reply) => {
    if (!request.principal) return reply.redirect('/login', 303);
    const { id } = request.params;
    assertEnrolmentId(id);
    const form = (request.body ?? {}) as Record<string, string | string[] | undefined>;
    const userId = one(form.userId);
    const refuse = (problem: Problem, status: number) =>
      casePage(app, request, reply, id, { action: 'assign', problem, values: { userId } }, status);
    const unchosen = assigneeChoiceProblem(request.pageContext(reply), userId);
    if (unchosen) return refuse(unchosen, 400);
    const answer = await callApi(app, request, {
      method: 'PUT',
      url: `/api/v1/enrolments/${id}/assignee`,
      body: { userId: assigneeOfChoice(userId) },
      idempotencyKey: one(form.idempotencyKey),
    });
    if (answer.ok || answer.problem?.type === inProgressType) return reply.redirect(`/enrolments/${id}`, 303);
    if (answer.status === 404) throw notFound('Pendaftaran / Enrolment');
    return refuse(answer.problem!, answer.status);
  });

  app.post<{ Params: { id: string } }>('/enrolments/:id/notes', async (request, reply) => {
    if (!request.principal) return reply.redirect('/login', 303);
    const { id } = request.params;
    assertEnrolmentId(id);
    const back = backOf(request);
    const form = (request.body ?? {}) as Record<string, string | string[] | undefined>;
    const body = one(form.body);
    // Internal unless shared was chosen: a note reaches the business only when someone meant it to.
    const visibility =
      request.principal.role === 'business' || one(form.visibility) === 'shared' ? 'shared' : 'internal';
    const answer = await callApi(app, request, {
      method: 'POST',
      url: `/api/v1/enrolments/${id}/notes`,
      body: { body, visibility },
      idempotencyKey: one(form.idempotencyKey),
    });
    if (answer.ok || answer.problem?.type === inProgressType) return reply.redirect(placeOf(id, back, 'notes'), 303);
    if (answer.status === 404) throw notFound('Pendaftaran / Enrolment');
    return answerRefused(app, request, reply, id, back, {
      action: 'note',
      problem: answer.problem!,
      values: { body, visibility },
    });
  });
}
