// The case work's forms and downloads on the pages: an upload per checklist item, a review per document, a note on
// the thread, the case's assignee, and a document's file. Each write goes through its JSON route in-process (callApi), so it passes the
// very same checks, idempotency store and audit as the API; a refusal comes back as the page again with the reason
// beside the form that asked, and nothing stored. A download streams from the same service as the API's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../domain/errors.js';
import { openDocument, tooLarge } from '../../services/documents/documents.js';
import type { DocumentStore } from '../../services/documents/store.js';
import { inProgressType } from '../plugins/idempotency.js';
import { formProblem, problemOf, type Problem } from '../problem.js';
import { sendDocument } from '../routes/casework.js';
import { acceptPageUploads, chosenFiles, type UploadForm } from '../uploads.js';
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

async function uploadPages(app: FastifyInstance) {
  await acceptPageUploads(app);

  app.post<{ Params: { id: string; step: string; item: string } }>(
    '/enrolments/:id/steps/:step/documents/:item',
    async (request, reply) => {
      const { id, step, item } = request.params;
      assertEnrolmentId(id);
      const back = backOf(request);
      const form = (request.body ?? {}) as UploadForm;
      // A file chosen from the phone's files or a photo from its camera: the one that was chosen.
      const chosen = chosenFiles(form, ['file', 'photo']);
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
