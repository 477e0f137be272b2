// Builds the Fastify app as a plugin tree: external plugins, then ours, then routes. It listens nowhere:
// server.ts does that, and tests call app.inject().
import type { Client } from '@temporalio/client';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client.js';
import type { Config } from '../infra/config.js';
import type { DocumentStore } from '../services/documents/store.js';
import { completeDocument } from './openapi.js';
import authPlugin from './plugins/auth.js';
import databasePlugin from './plugins/database.js';
import errorsPlugin from './plugins/errors.js';
import idempotencyPlugin from './plugins/idempotency.js';
import inputGuardPlugin, { refuseUnroutableUrl } from './plugins/input-guard.js';
import rateLimitsPlugin from './plugins/rate-limits.js';
import readCachePlugin from './plugins/read-cache.js';
import securityHeaders from './plugins/security-headers.js';
import temporalPlugin from './plugins/temporal.js';
import { OneLineRequestLog, apiLoggerOptions } from './request-log.js';
import { apiRoutes } from './routes/index.js';
import healthRoutes from './routes/health.js';
import pages from './pages/index.js';

export interface AppDeps {
  config: Pick<Config, 'LOG_LEVEL' | 'TEMPORAL_TASK_QUEUE' | 'PENDAMPING_ADMIN_TOKEN' | 'CORS_ORIGINS'> &
    /** Unset, the read cache is off (tests that write behind the API's back and read at once). */
    Partial<Pick<Config, 'READ_CACHE_MB'>>;
  database: Database;
  temporal: Client;
  /** Where uploaded documents are kept (infra/document-store.ts picks it from the configuration). */
  documentStore: DocumentStore;
  logger?: FastifyServerOptions['logger'];
}

export const bodyLimitBytes = 1024 * 1024;

export async function buildApp(deps: AppDeps) {
  const app = Fastify({
    logger: deps.logger ?? apiLoggerOptions(deps.config.LOG_LEVEL),
    bodyLimit: bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false } },
    logController: new OneLineRequestLog(),
    frameworkErrors: refuseUnroutableUrl,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // A callback hook, not an async one: every answer passes here, and a promise per answer shows in a read's cost.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });

  await app.register(errorsPlugin);
  await app.register(securityHeaders, {
    // The Swagger UI page needs inline scripts and styles; everything else is JSON.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  await app.register(cors, {
    origin: deps.config.CORS_ORIGINS ? deps.config.CORS_ORIGINS.split(',').map((o) => o.trim()) : false,
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'pendamping API',
        description:
          'Alur kerja sertifikasi dan pendampingan IKM / Workflows for IKM certification and assistance programmes',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    // We register an OpenAPI 3 document only, never a Swagger 2 one.
    transformObject: (document) =>
      completeDocument(('openapiObject' in document ? document.openapiObject : {}) as never),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(cookie);
  await app.register(databasePlugin, { database: deps.database });
  await app.register(temporalPlugin, { client: deps.temporal, taskQueue: deps.config.TEMPORAL_TASK_QUEUE });
  await app.register(authPlugin, { adminToken: deps.config.PENDAMPING_ADMIN_TOKEN });
  // Before the input guard: a stored answer's URL passed it when the answer was stored.
  await app.register(readCachePlugin, { maxMb: deps.config.READ_CACHE_MB ?? 0 });
  await app.register(inputGuardPlugin);
  await app.register(rateLimitsPlugin);
  await app.register(idempotencyPlugin);

  await app.register(healthRoutes);
  await app.register(pages, { documentStore: deps.documentStore });
  await app.register(apiRoutes, { prefix: '/api/v1', documentStore: deps.documentStore });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
