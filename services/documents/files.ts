// What every uploaded file goes through, a case's document or a visit's photo alike: a size limit, a type recognised
// from the content (never the name or the declared type, so nothing executable is taken), and a clean file name.
import { fileTypeFromBuffer } from 'file-type';
import { DomainError, invalid } from '../../domain/errors.js';

export const maxDocumentBytes = 20 * 1024 * 1024;

/** The types a checklist document may have, by the type its content shows. */
export const acceptedTypes: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'XLSX',
};

/** The type the content shows, if it is one we take; otherwise a 415 that names what was sent. */
export async function detectType(data: Buffer, fileName: string): Promise<string> {
  const detected = await fileTypeFromBuffer(data);
  if (detected && acceptedTypes[detected.mime]) return detected.mime;
  const shown = detected ? `${detected.mime} (.${detected.ext})` : 'tidak dikenal / unknown';
  throw new DomainError(
    'unsupported-type',
    `Berkas "${fileName}" berjenis ${shown}; yang diterima: PDF, JPEG, PNG, DOCX, XLSX / ` +
      `File "${fileName}" is ${detected ? shown : 'of an unknown type'}; accepted: PDF, JPEG, PNG, DOCX, XLSX`,
    { fileName, detectedType: detected?.mime ?? null },
  );
}

/** A file name as the office will see it: no folders, no control characters, not too long. */
export function cleanFileName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (raw.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  return (base || 'dokumen').slice(0, 200);
}

export const tooLarge = (fileName: string) =>
  new DomainError('too-large', `Berkas "${fileName}" lebih dari 20 MB / File "${fileName}" is larger than 20 MB`, {
    fileName,
    limitBytes: maxDocumentBytes,
  });

/** Refuses an empty or too big file before anything is stored. */
export function assertFileSize(fileName: string, data: Buffer): void {
  if (data.length > maxDocumentBytes) throw tooLarge(fileName);
  if (data.length === 0) {
    throw invalid(`Berkas "${fileName}" kosong / File "${fileName}" is empty`, [
      { path: 'body.file', message: 'berkas kosong / empty file' },
    ]);
  }
}
