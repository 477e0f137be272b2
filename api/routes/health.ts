import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { probe } from '../../infra/health.js';

const dependency = z.object({ ok: z.boolean(), error: z.string().optional() });

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: Postgres and Temporal reachable (503 otherwise)',
        response: {
          200: z.object({ status: z.literal('ready'), database: dependency, temporal: dependency }),
          503: z.object({ status: z.literal('not_ready'), database: dependency, temporal: dependency }),
        },
      },
    },
    async (_request, reply) => {
      const [database, temporal] = await Promise.all([
        probe(() => app.database.sql`select 1`),
        probe(() => app.temporal.connection.workflowService.getSystemInfo({})),
      ]);
      if (database.ok && temporal.ok) return { status: 'ready' as const, database, temporal };
      return reply.status(503).send({ status: 'not_ready' as const, database, temporal });
    },
  );
};

export default healthRoutes;
