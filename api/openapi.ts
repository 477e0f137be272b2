// The OpenAPI document says every answer an operation can give, in one place rather than in each route: the errors
// that come from the plumbing every route shares (validation, authentication, roles, body limits, content types,
// rate limits, Postgres or Temporal down) are added here from what the route declares (its body, its roles, its
// security), and every error is described as the problem+json it is served as. Routes declare their own domain
// answers (404, 409, 422) through problemResponses. tests/contract/ checks the API against the result.
import { z } from 'zod';
import { routeLimits } from './plugins/rate-limits.js';
import { titleFor } from './problem.js';
import { problemSchema } from './schemas/common.js';

interface Operation {
  security?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
  'x-roles'?: string[];
  [key: string]: unknown;
}

interface Document {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown>; [key: string]: unknown };
  [key: string]: unknown;
}

const withBody = new Set(['post', 'put', 'patch', 'delete']);

const retryAfter = {
  'Retry-After': {
    description: 'Sekian detik lagi boleh dicoba / Seconds after which the request may be tried again',
    schema: { type: 'integer', minimum: 0 },
  },
};

const problem = (status: number) => ({
  description: titleFor(status),
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  ...(status === 429 || status === 503 ? { headers: retryAfter } : {}),
});

/** The answers the shared plumbing can give for this operation, besides those its route declares. */
function plumbingStatuses(path: string, method: string, op: Operation, isPublic: boolean): number[] {
  const statuses = [400, 503];
  if (!isPublic) statuses.push(401);
  if (op['x-roles']) statuses.push(403);
  if (withBody.has(method)) statuses.push(413, 415);
  const fastifyUrl = path.replace(/\{(\w+)\}/g, ':$1');
  if (routeLimits.some((l) => l.url === fastifyUrl && l.method.toLowerCase() === method)) statuses.push(429);
  return statuses;
}

/** Completes the document @fastify/swagger built from the routes' schemas (its transformObject hook). */
export function completeDocument(document: Document): Document {
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: z.toJSONSchema(problemSchema, { target: 'openapi-3.0' }) },
  };
  for (const [path, methods] of Object.entries(document.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      // Outside /api/ only the health checks are described (the docs routes are hidden); under it, a route that
      // needs no token says so itself (login, invitation acceptance).
      const isPublic = !path.startsWith('/api/') || (Array.isArray(op.security) && op.security.length === 0);
      if (isPublic) op.security = [];
      // /readyz answers its 503 with the state of each dependency, not a problem: it keeps its own description.
      if (!path.startsWith('/api/')) continue;
      const responses = (op.responses ??= {});
      // A route declares its 204 as z.null(), which the generator turns into a JSON body; a 204 has none.
      const noContent = responses[204] as { content?: unknown } | undefined;
      if (noContent) delete noContent.content;
      const declared = Object.keys(responses).map(Number);
      const errors = new Set([...declared.filter((s) => s >= 400), ...plumbingStatuses(path, method, op, isPublic)]);
      for (const status of errors) responses[status] = problem(status);
    }
  }
  return document;
}
