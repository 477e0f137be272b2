import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { DomainError, type FieldIssue } from '../../domain/errors.js';
import { HttpProblem, problemOf, titleFor } from '../problem.js';

function send(reply: FastifyReply, problem: HttpProblem, request: FastifyRequest) {
  const wait = problem.extra.retryAfterSeconds;
  if (typeof wait === 'number') reply.header('retry-after', String(wait));
  return reply.status(problem.status).type('application/problem+json').send(problem.toProblem(request.url));
}

/** Seconds a client is told to wait when a dependency is down: about what a restart of Postgres takes. */
export const retryAfterSeconds = 5;

// Postgres refusing or dropping connections (postgres.js's own codes, the socket's, and SQLSTATE classes 08 and 57P:
// connection exceptions, a server shutting down or starting) and Temporal unreachable (gRPC UNAVAILABLE).
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
const grpcUnavailable = 14;

/** Is this error (or one it wraps: drizzle and the Temporal client wrap theirs) a dependency that is down? */
export function isDependencyUnavailable(error: unknown): boolean {
  for (
    let e = error, depth = 0;
    e && typeof e === 'object' && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (unavailableCodes.has(code) || code.startsWith('08'))) return true;
    if (code === grpcUnavailable) return true;
  }
  return false;
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
      if (isDependencyUnavailable(error)) {
        // Nothing was written: a transaction that lost its connection rolls back. The client may simply try again.
        request.log.warn({ err: error }, 'a dependency is unavailable');
        return send(
          reply,
          new HttpProblem(
            503,
            'Layanan sementara tidak tersedia, coba lagi sebentar lagi / Service temporarily unavailable, try again shortly',
            { retryAfterSeconds },
          ),
          request,
        );
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
