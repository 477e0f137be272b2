// Text Postgres cannot store, or would store changed, is refused at the edge with a 400 naming the field: a NUL
// makes Postgres fail (text and jsonb reject U+0000), a lone surrogate would be silently replaced by U+FFFD.
// Nesting is capped too, so no later recursive walk (ours, the validator's, the audit's jsonb) meets a pathological body.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem, problemOf } from '../problem.js';
import { type FieldIssue, notFound } from '../../domain/errors.js';

export const maxNestingDepth = 32;

// With the u flag a well-formed surrogate pair is one code point, so this matches only lone surrogates.
const loneSurrogate = /[\uD800-\uDFFF]/u;
const unstorable = (text: string) => text.includes('\0') || loneSurrogate.test(text);

function findIssue(root: unknown, context: string): FieldIssue | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: context, depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (unstorable(value))
        return { path, message: 'berisi NUL atau surrogate tunggal / contains NUL or a lone surrogate' };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxNestingDepth)
      return {
        path,
        message: `bersarang lebih dari ${maxNestingDepth} tingkat / nested deeper than ${maxNestingDepth} levels`,
      };
    for (const [key, child] of Object.entries(value)) {
      if (unstorable(key))
        return {
          path,
          message: 'nama field berisi NUL atau surrogate tunggal / a field name contains NUL or a lone surrogate',
        };
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return null;
}

export default fp(
  async (app) => {
    // A callback, not an async hook: every request passes here, and nearly all of them pass without a promise.
    app.addHook('preValidation', (request, _reply, done) => {
      const issue =
        findIssue(request.params, 'params') ??
        findIssue(request.query, 'querystring') ??
        (Buffer.isBuffer(request.body) ? null : findIssue(request.body, 'body'));
      done(
        issue
          ? new HttpProblem(400, `Data tidak valid / Invalid input: ${issue.path}: ${issue.message}`, {
              errors: [issue],
            })
          : undefined,
      );
    });
  },
  { name: 'input-guard' },
);

/**
 * Fastify's `frameworkErrors`: what the router refuses before any route or error handler runs, as problems too.
 * A path parameter over 100 characters names nothing that exists (404); an undecodable path is a bad request.
 */
export function refuseUnroutableUrl(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const problem =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? problemOf(notFound('Sumber daya / Resource'))
      : new HttpProblem(400, 'Alamat tidak dapat dibaca / The URL cannot be decoded', { code: error.code });
  return reply.status(problem.status).type('application/problem+json').send(problem.toProblem(request.url));
}
