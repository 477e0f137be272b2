// Report downloads (CSV, XLSX) are streamed as they are written. A CSV goes gzipped to a client that accepts it: a
// year's enrolments or an office's inventory shrink to a fifth or less over an office's thin link. An XLSX workbook
// is a zip already and goes as it is.
import compress from '@fastify/compress';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import type { reportFormats } from '../services/report-writers.js';

/** Gives the routes of `app` registered after it reply.compress, and nothing else (no hook compresses other answers). */
export const acceptReportCompression = (app: FastifyInstance) =>
  app.register(compress, { global: false, encodings: ['gzip'] });

/** Sends a report's stream: a CSV compressed if the client accepts gzip, a workbook as it is. */
export function sendReport(reply: FastifyReply, format: (typeof reportFormats)[number], body: Readable) {
  return format === 'csv' ? reply.compress(body) : reply.send(body);
}
