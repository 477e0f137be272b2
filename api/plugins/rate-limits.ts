// Abuse limits on the routes worth abusing: password guessing (per client address, counted before the body is even
// parsed) and mass enrolment (per principal, counted once a request is valid, so a typo does not use up the quota).
// Counters live in the process; behind several API instances each keeps its own, which only loosens a limit.
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../problem.js';
import { asHooks } from './auth.js';

export interface RouteLimit {
  method: string;
  url: string;
  per: 'ip' | 'principal';
  max: number;
  timeWindowMs: number;
}

export const routeLimits: readonly RouteLimit[] = [
  { method: 'POST', url: '/api/v1/auth/login', per: 'ip', max: 10, timeWindowMs: 60_000 },
  { method: 'POST', url: '/api/v1/auth/invitations/accept', per: 'ip', max: 10, timeWindowMs: 60_000 },
  // A stolen session must not guess the current password to take the account over.
  { method: 'POST', url: '/api/v1/auth/password', per: 'principal', max: 10, timeWindowMs: 60_000 },
  { method: 'POST', url: '/api/v1/enrolments', per: 'principal', max: 60, timeWindowMs: 60_000 },
];

const principalKey = (request: FastifyRequest) =>
  request.principal?.userId ?? `${request.principal?.role ?? 'anonymous'}:${request.ip}`;

export default fp(
  async (app) => {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new HttpProblem(
          429,
          `Terlalu banyak permintaan, coba lagi dalam ${context.after} / Too many requests, try again in ${context.after}`,
          { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
        ),
    });

    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = [route.method].flat();
      for (const limit of routeLimits.filter((l) => l.url === route.url && methods.includes(l.method as never))) {
        const hook = app.rateLimit({
          max: limit.max,
          timeWindow: limit.timeWindowMs,
          ...(limit.per === 'principal' ? { keyGenerator: principalKey } : {}),
        });
        if (limit.per === 'ip') route.onRequest = [...asHooks(route.onRequest), hook] as RouteOptions['onRequest'];
        else route.preHandler = [hook, ...asHooks(route.preHandler)] as RouteOptions['preHandler'];
      }
    });
  },
  { name: 'rate-limits', dependencies: ['auth'] },
);
