// Report downloads (CSV, XLSX), streamed as they are written. A CSV goes gzipped to a client that accepts it: a year's
// enrolments or an office's inventory shrink to a fifth or less over an office's thin link. An XLSX workbook is a zip
// already and goes as it is.
import compress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PassThrough } from 'node:stream';
import type { Lang, Report } from '../services/reports.js';
import { contentTypes, writeCsv, writeXlsx, type reportFormats } from '../services/report-writers.js';

/** Gives the routes of `app` registered after it reply.compress, and nothing else (no hook compresses other answers). */
export const acceptReportCompression = (app: FastifyInstance) =>
  app.register(compress, { global: false, encodings: ['gzip'] });

/**
 * Streams a report as a download named `fileName` (without its extension). A failure once the answer has begun can
 * only cut it short; it is logged.
 */
export function sendReport(
  request: FastifyRequest,
  reply: FastifyReply,
  report: Report,
  options: { format: (typeof reportFormats)[number]; lang: Lang; fileName: string },
) {
  const { format, lang } = options;
  const body = new PassThrough();
  (format === 'xlsx' ? writeXlsx : writeCsv)(report, lang, body).catch((err: unknown) => {
    request.log.error({ err }, 'report failed while streaming');
    body.destroy(err as Error);
  });
  reply
    .type(contentTypes[format])
    .header('content-disposition', `attachment; filename="${options.fileName}.${format}"`);
  // A stream is sent as it is: the route's 200 schema describes it and serialises nothing.
  return format === 'csv' ? reply.compress(body) : reply.send(body);
}
