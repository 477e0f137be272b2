// Case-work test helpers: sample files of each kind, a multipart body as a browser sends it, and the files a store holds.
import ExcelJS from 'exceljs';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DocumentStore } from '../../services/documents/store.js';
import type { ProgrammeTemplate } from '../../domain/template.js';
import { bilingual as name, testTemplate } from '../helpers/fixtures.js';

export const samplePdf = (text = 'Manual SJPH') =>
  Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${text} ${randomBytes(8).toString('hex')}\n%%EOF\n`);

/** A 1×1 PNG. */
export const samplePng = () =>
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  );

export async function sampleXlsx(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.addWorksheet('Bahan').addRow(['Tepung terigu', 'SH-123']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The start of a Linux executable: what a renamed program looks like inside. */
export const sampleExecutable = () =>
  Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), randomBytes(4096)]);

/** A multipart/form-data body with one file, as a browser's form sends it. */
export function multipart(fileName: string, data: Buffer, declaredType = 'application/pdf', field = 'file') {
  const boundary = `----pendamping${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\n` +
      `Content-Type: ${declaredType}\r\n\r\n`,
  );
  return {
    payload: Buffer.concat([head, data, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

export async function storedKeys(store: DocumentStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list()) keys.push(object.key);
  return keys.sort();
}

/** A store whose writes fail half-way through the file, as a full disk or a dropped connection to S3 would. */
export function failingMidWrite(inner: DocumentStore): DocumentStore {
  return {
    ...inner,
    description: `failing ${inner.description}`,
    put: (key, body, size) => {
      const broken = Readable.from(
        (async function* () {
          let sent = 0;
          for await (const chunk of body as AsyncIterable<Buffer>) {
            const room = Math.floor(size / 2) - sent;
            if (chunk.length >= room) {
              yield chunk.subarray(0, room);
              throw new Error('ENOSPC: no space left on device (injected)');
            }
            sent += chunk.length;
            yield chunk;
          }
        })(),
      );
      return inner.put(key, broken, size);
    },
  };
}

/**
 * documents (the business hands in its manual and, if it likes, a photo) → audit by the office → done; with `loop`,
 * the audit may also send the case back to its documents (at most three audits).
 */
export function caseworkTemplate(key: string, { loop = false } = {}): ProgrammeTemplate {
  return testTemplate({
    key,
    version: 1,
    name: name('Uji berkas'),
    description: name('Template uji'),
    firstStep: 'documents',
    steps: [
      {
        key: 'documents',
        name: name('Dokumen'),
        actor: 'business',
        scope: 'business',
        due: { kind: 'working_days', days: 10 },
        checklist: [
          { key: 'manual_sjph', name: { id: 'Manual SJPH', en: 'SJPH manual' }, required: true },
          { key: 'daftar_bahan', name: { id: 'Daftar bahan', en: 'Ingredient list' }, required: true },
          { key: 'foto_produk', name: { id: 'Foto produk', en: 'Product photo' }, required: false },
        ],
        outcomes: [{ key: 'submitted', name: name('Diajukan'), next: 'audit' }],
      },
      {
        key: 'audit',
        name: name('Audit'),
        actor: 'officer',
        scope: 'business',
        due: { kind: 'working_days', days: 15 },
        outcomes: [
          { key: 'ok', name: name('Sesuai'), next: null, terminal: 'completed' },
          ...(loop ? [{ key: 'revise', name: name('Perlu perbaikan'), next: 'documents' }] : []),
        ],
        ...(loop ? { maxVisits: 3 } : {}),
      },
    ],
  });
}
