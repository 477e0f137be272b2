import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { DomainError, type FieldIssue } from '../../domain/errors.js';
import { HttpProblem, problemOf, titleFor } from '../problem.js';

function send(reply: FastifyReply, problem: HttpProblem, request: FastifyRequest) {
  return reply.status(problem.status).type('application/problem+json').send(problem.toProblem(request.url));
}

/** 'body' + '/nib' → 'body.nib': the field a person must correct. */
function fieldPath(context: string | undefined, instancePath: string): string {
  return [context, ...instancePath.split('/').filter(Boolean)].filter(Boolean).join('.');
}

/** The one place errors become answers: validation → 400 with field paths; 5xx details stay in the log. */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof HttpProblem) return send(reply, error, request);
      if (error instanceof DomainError) return send(reply, problemOf(error), request);
      if (hasZodFastifySchemaValidationErrors(error)) {
        const errors: FieldIssue[] = error.validation.map((v) => ({
          path: fieldPath(error.validationContext, v.instancePath),
          message: v.message ?? 'tidak valid / invalid',
        }));
        const detail = `Data tidak valid / Invalid input: ${errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; ')}`;
        return send(reply, new HttpProblem(400, detail, { errors }), request);
      }
      if (isResponseSerializationError(error)) {
        request.log.error({ err: error }, 'response did not match its schema');
        return send(
          reply,
          new HttpProblem(500, 'Terjadi kesalahan pada server / Something went wrong on our side'),
          request,
        );
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        // Fastify's own client errors (bad JSON, wrong content type, body too large, rate limit) keep their status.
        const detail =
          status === 429
            ? 'Terlalu banyak permintaan, coba lagi nanti / Too many requests, try again later'
            : `${titleFor(status)}: ${error.message}`;
        return send(reply, new HttpProblem(status, detail, { code: error.code }), request);
      }
      request.log.error({ err: error }, 'unhandled error');
      return send(
        reply,
        new HttpProblem(500, 'Terjadi kesalahan pada server / Something went wrong on our side'),
        request,
      );
    });

    app.setNotFoundHandler((request, reply) =>
      send(reply, new HttpProblem(404, `Alamat ${request.method} ${request.url} tidak ada / No such route`), request),
    );
  },
  { name: 'errors' },
);
