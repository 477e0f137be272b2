// The managers' figures as JSON, and every table of them (with the enrolment and registry lists) as CSV or XLSX.
// Thin: parse, call services/dashboard.ts or services/reports.ts with the reader's principal, present.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dashboard } from '../../services/dashboard.js';
import { resolveScope } from '../../services/dashboard-scope.js';
import { foldDashboardSummaries } from '../../services/dashboard-summaries.js';
import { reportFormats } from '../../services/report-writers.js';
import { buildReport, reportNames } from '../../services/reports.js';
import { principalOf } from '../plugins/auth.js';
import { dashboardQuery, dashboardSchema, listQuery } from '../schemas/dashboard.js';
import { problemResponses } from '../schemas/common.js';
import { acceptReportCompression, sendReport } from '../report-replies.js';

const managers = ['admin', 'manager'] as const;

const reportQuery = dashboardQuery.extend({
  format: z.enum(reportFormats).default('csv'),
  lang: z.enum(['id', 'en']).default('id').describe('language of the headers and names'),
  ...listQuery,
});

const dashboardRoutes: FastifyPluginAsyncZod = async (app) => {
  await acceptReportCompression(app);
  app.get(
    '/dashboard',
    {
      onRequest: app.authorize(managers),
      schema: {
        tags: ['dashboard'],
        summary: "Managers' figures: quotas, pipeline, overdue and escalated steps, statutory SLA, regions, forecasts",
        querystring: dashboardQuery,
        response: { 200: dashboardSchema, ...problemResponses },
      },
    },
    async (request) => dashboard(app.db, principalOf(request), request.query),
  );

  app.get(
    '/reports/:report',
    {
      onRequest: app.authorize(managers),
      schema: {
        tags: ['dashboard'],
        summary: 'A table of the dashboard, or the enrolment or registry list, as CSV or XLSX (streamed)',
        params: z.object({ report: z.enum(reportNames) }).strict(),
        querystring: reportQuery,
        // The file's media types, so the OpenAPI document says what a 200 carries.
        produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: {
          200: z.string().describe('text/csv, or an XLSX workbook'),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { format, lang, status, step, cohortId, quotaId, month, ...filter } = request.query;
      // The scope is checked before anything streams, so a refusal is still a problem+json answer.
      const scope = await resolveScope(app.db, principalOf(request), filter);
      await foldDashboardSummaries(app.db);
      const report = await buildReport(app.db, scope, request.params.report, lang, {
        statuses: status ? [status] : undefined,
        stepKey: step,
        cohortId,
        quotaId,
        activatedMonth: month,
      });
      return sendReport(request, reply, report, {
        format,
        lang,
        fileName: `pendamping-${report.name}-${scope.year}`,
      });
    },
  );
};

export default dashboardRoutes;
