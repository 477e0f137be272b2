// One uploaded file per request (multipart/form-data, the file in a field named "file"), read as it streams and
// refused as soon as it passes the size limit. Shared by the case documents and the visit attachments routes.
import multipart from '@fastify/multipart';
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
