// The web pages: server-rendered HTML for officers, managers and businesses, beside the JSON API and hidden from its
// OpenAPI description. Forms post urlencoded bodies (parsed only in this plugin's scope, so the API still takes JSON
// alone) and carry a CSRF value; a refused write is shown in place, and everything works without JavaScript.
import compress from '@fastify/compress';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZodError } from 'zod';
import { DomainError } from '../../domain/errors.js';
import type { DocumentStore } from '../../services/documents/store.js';
import { csrfField, csrfMatches } from '../plugins/auth.js';
import { HttpProblem, problemOf } from '../problem.js';
import authPages from './auth-pages.js';
import businessPages from './business-pages.js';
import calendarPages from './calendar-pages.js';
import casePages from './case-pages.js';
import caseworkPages from './casework-pages.js';
import cohortPages from './cohort-pages.js';
import dashboardPages from './dashboard-pages.js';
import { contextFor, Layout, type PageContext } from './layout.js';
import notificationPages from './notification-pages.js';
import queuePages from './queue-pages.js';
import quotaPages from './quota-pages.js';
import visitPages from './visit-pages.js';
import sitePages from './site-pages.js';
import visitPlanPages from './visit-plan-pages.js';
import accountPages from './account-pages.js';
import staffPages from './staff-pages.js';
import workloadPages from './workload-pages.js';
import { csrfOf, langOf } from './session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Everything a template needs about the reader; pages call it once per answer. */
    pageContext(reply: FastifyReply): PageContext;
  }
}

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
const require = createRequire(import.meta.url);

/** Same-origin assets only: our stylesheet and scripts, and htmx straight from node_modules (no CDN, no build). */
async function assets(app: FastifyInstance) {
  const files: Record<string, { path: string; type: string }> = {
    'app.css': { path: join(webDir, 'app.css'), type: 'text/css; charset=utf-8' },
    'app.js': { path: join(webDir, 'app.js'), type: 'text/javascript; charset=utf-8' },
    'import.js': { path: join(webDir, 'import.js'), type: 'text/javascript; charset=utf-8' },
    'htmx.min.js': { path: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  };
  const loaded = new Map<string, Buffer>();
  for (const [name, file] of Object.entries(files)) loaded.set(name, await readFile(file.path));
  app.get<{ Params: { name: string } }>('/assets/:name', { schema: { hide: true } }, async (request, reply) => {
    const body = loaded.get(request.params.name);
    if (!body) return reply.callNotFound();
    return reply.type(files[request.params.name]!.type).header('cache-control', 'public, max-age=3600').send(body);
  });
}

/** How pages are compressed; the pages benchmark serves its static baseline the same way. */
export const pageCompression = { encodings: ['gzip' as const], threshold: 1024 };

export default async function pages(app: FastifyInstance, options: { documentStore: DocumentStore }) {
  // Pages, their script and stylesheet go gzipped to browsers that ask (all do): businesses read them on phones over
  // thin mobile links, and HTML shrinks to a fifth or less. Registered here, so only the pages' routes pay for it: the
  // API's hot reads come gzipped from the read cache instead, compressed once when stored.
  await app.register(compress, pageCompression);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await assets(app);

  // Every route here is a page: hidden from the API description, which the security suites fuzz.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });

  app.decorateRequest('pageContext', function (this: FastifyRequest, reply: FastifyReply) {
    const principal = this.principal;
    return contextFor(langOf(this), {
      principal,
      csrf: csrfOf(this, reply),
      path: this.url,
      hasDashboard: app.hasRoute({ method: 'GET', url: '/dashboard' }),
      invitation: this.credential?.kind === 'invitation',
    });
  });

  // A form post must repeat the CSRF cookie's value: another site can make a browser post here, but cannot read it.
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST') return;
    const body = request.body as Record<string, unknown> | null;
    if (!csrfMatches(request, body?.[csrfField])) {
      throw new HttpProblem(403, 'Formulir kedaluwarsa; muat ulang halaman / The form expired; reload the page');
    }
  });

  // Errors become pages: no session sends the reader to log in, anything else is explained in their language.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // A form or query that does not even have the shape of ours (a field sent twice, say) is the reader's error.
    const malformed = error instanceof ZodError ? new HttpProblem(400, 'Formulir tidak valid / Invalid form') : null;
    const problem = error instanceof DomainError ? problemOf(error) : error instanceof HttpProblem ? error : malformed;
    const status = problem?.status ?? (error.statusCode && error.statusCode < 500 ? error.statusCode : 500);
    if (status === 401) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    if (status >= 500) request.log.error({ err: error }, 'page failed');
    const ctx = request.pageContext(reply);
    const title = status === 404 ? ctx.t.notFoundTitle : status === 403 ? ctx.t.forbiddenTitle : ctx.t.refused;
    const detail =
      problem?.detail ??
      (status >= 500 ? 'Terjadi kesalahan pada server / Something went wrong on our side' : error.message);
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(
        <Layout ctx={ctx} title={title}>
          <h1 safe>{title}</h1>
          <p safe>{detail}</p>
          <p>
            <a href="/" safe>
              {ctx.t.navHome}
            </a>
          </p>
        </Layout>,
      );
  });

  await app.register(authPages);
  await app.register(queuePages);
  await app.register(casePages);
  await app.register(caseworkPages, { documentStore: options.documentStore });
  await app.register(businessPages);
  await app.register(cohortPages);
  await app.register(quotaPages);
  await app.register(calendarPages);
  await app.register(visitPages, { documentStore: options.documentStore });
  await app.register(visitPlanPages);
  await app.register(sitePages);
  await app.register(notificationPages);
  await app.register(dashboardPages);
  await app.register(workloadPages);
  await app.register(staffPages);
  await app.register(accountPages);
}
