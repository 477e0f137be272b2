// One uploaded file per request (multipart/form-data, the file in a field named "file"), read as it streams and
// refused as soon as it passes the size limit. Shared by the case documents and the visit attachments routes, and, for
// the pages, the upload forms' files (a file field and a camera field) with the form's other fields.
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalid } from '../domain/errors.js';
import { maxDocumentBytes, tooLarge } from '../services/documents/files.js';
import { HttpProblem } from './problem.js';

/**
 * Readies a plugin scope for uploads: multipart parsing with tight limits, and a body "validator" that lets the
 * stream through (the handler reads it), so the body schema only describes the API.
 */
export async function acceptUploads(scope: FastifyInstance): Promise<void> {
  await scope.register(multipart, {
    limits: { fileSize: maxDocumentBytes + 1, files: 1, fields: 0, parts: 1, fieldNameSize: 100, headerPairs: 50 },
  });
  scope.setValidatorCompiler((route) =>
    route.httpPart === 'body' ? () => ({ value: undefined }) : validatorCompiler(route as never),
  );
}

/** The OpenAPI description of an upload's body. */
export const uploadBody = (what: string) => z.object({ file: z.string().meta({ format: 'binary' }).describe(what) });

/** Reads the one file of the request; a missing file is 400, a request that is not multipart 415, a big file 413. */
export async function readUploadedFile(request: FastifyRequest): Promise<{ fileName: string; data: Buffer }> {
  if (!request.isMultipart()) {
    throw new HttpProblem(
      415,
      'Kirim berkas sebagai multipart/form-data di kolom "file" / Send the file as multipart/form-data in a field named "file"',
    );
  }
  const part = await request.file();
  if (!part || part.fieldname !== 'file') {
    throw invalid('Berkas tidak ada / No file', [
      { path: 'body.file', message: 'kirim berkas di kolom "file" / send the file in a field named "file"' },
    ]);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of part.file as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxDocumentBytes) throw tooLarge(part.filename);
    chunks.push(chunk);
  }
  return { fileName: part.filename, data: Buffer.concat(chunks) };
}

/** A download's headers: always an attachment, never rendered by the browser as a page. */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** A file as a page's upload form sent it: the bytes when within the limit, else only that it was too large. */
export interface ReceivedFile {
  fileName: string;
  data: Buffer | null;
}

export type UploadForm = Record<string, string | ReceivedFile | undefined>;

/**
 * Readies a plugin scope for a page's upload forms: the form's fields and its files arrive in one body, and the CSRF
 * check (the pages' preHandler) reads the fields. Files are read before the handler runs, so only someone logged in gets
 * that far: the session cookie is SameSite=Lax, so another site's post arrives anonymous and is turned away unread. A
 * file is read only up to one byte past the limit; the rest of a bigger one is dropped unread.
 */
export async function acceptPageUploads(scope: FastifyInstance): Promise<void> {
  scope.addHook('onRequest', async (request, reply) => {
    if (!request.principal) return reply.redirect('/login', 303);
  });
  await scope.register(multipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: maxDocumentBytes + 1, files: 2, fields: 4, parts: 6, fieldSize: 1024, headerPairs: 50 },
    async onFile(part: MultipartFile) {
      const chunks: Buffer[] = [];
      for await (const chunk of part.file as AsyncIterable<Buffer>) chunks.push(chunk);
      const received: ReceivedFile = {
        fileName: part.filename,
        data: part.file.truncated ? null : Buffer.concat(chunks),
      };
      (part as unknown as { value: ReceivedFile }).value = received;
    },
  });
}

/** The files a page's form really carried among the named fields: a file from the phone's files or a camera photo. */
export const chosenFiles = (form: UploadForm, fields: string[]): ReceivedFile[] =>
  fields
    .map((f) => form[f])
    .filter(
      (f): f is ReceivedFile => typeof f === 'object' && f !== null && (f.fileName !== '' || f.data?.length !== 0),
    );

/** What an upload form lets through on the reader's side; the server decides from the content, not from this. */
export const acceptedFiles = [
  '.pdf',
  '.jpg',
  '.jpeg',
  '.png',
  '.docx',
  '.xlsx',
  'application/pdf',
  'image/jpeg',
  'image/png',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
].join(',');
