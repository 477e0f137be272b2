// Photos and documents of a visit, kept in the document store beside the cases' documents and checked the same way
// (../documents/files.ts): size, a type recognised from the content, a clean name. The file is written first and its
// row committed after; a failed commit deletes the file, and a crash's leftover is swept (sweepDocumentOrphans).
import { eq } from 'drizzle-orm';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Db } from '../../db/client.js';
import { visitAttachments } from '../../db/schema.js';
import { conflict, DomainError, notFound } from '../../domain/errors.js';
import { recordAudit, type AuditContext } from '../audit.js';
import { assertFileSize, cleanFileName, detectType } from '../documents/files.js';
import type { DocumentStore } from '../documents/store.js';
import type { Principal } from '../principal.js';
import { loadVisibleVisit } from './visits.js';

type Source = AuditContext & { principal: Principal };
export interface AttachmentDeps {
  db: Db;
  store: DocumentStore;
}

/** The visit an upload is for, checked before the file is read: another office's is 404, a cancelled one 409. */
export async function attachmentTarget(db: Db, principal: Principal, visitId: string) {
  const visit = await loadVisibleVisit(db, principal, visitId);
  if (visit.status === 'cancelled') throw conflict('Kunjungan ini dibatalkan / This visit is cancelled');
  return visit;
}

export async function uploadVisitAttachment(
  deps: AttachmentDeps,
  source: Source,
  visitId: string,
  input: { fileName: string; data: Buffer },
) {
  assertFileSize(input.fileName, input.data);
  const visit = await attachmentTarget(deps.db, source.principal, visitId);
  const contentType = await detectType(input.data, input.fileName);
  const id = randomUUID();
  const storageKey = `visits/${visit.id}/${id}`;
  await deps.store.put(storageKey, Readable.from([input.data]), input.data.length);
  try {
    return await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(visitAttachments)
        .values({
          id,
          visitId: visit.id,
          fileName: cleanFileName(input.fileName),
          sizeBytes: input.data.length,
          contentType,
          sha256: createHash('sha256').update(input.data).digest('hex'),
          storageKey,
          uploadedBy: source.principal.userId,
        })
        .returning();
      await recordAudit(tx, source, {
        action: 'visit.attachment.upload',
        entityType: 'visit_attachment',
        entityId: id,
        officeId: visit.officeId,
        after: { visitId: visit.id, fileName: row!.fileName, contentType, sizeBytes: row!.sizeBytes },
      });
      return {
        id: row!.id,
        visitId: row!.visitId,
        fileName: row!.fileName,
        sizeBytes: row!.sizeBytes,
        contentType: row!.contentType,
        sha256: row!.sha256,
        uploadedBy: row!.uploadedBy,
        uploadedAt: row!.uploadedAt.toISOString(),
      };
    });
  } catch (err) {
    await deps.store.delete(storageKey).catch(() => {});
    throw err;
  }
}

/** An attachment's file, as a stream, if its visit is the principal's office's (else 404); the download is audited. */
export async function openVisitAttachment(deps: AttachmentDeps, source: Source, id: string) {
  const [row] = await deps.db.select().from(visitAttachments).where(eq(visitAttachments.id, id));
  if (!row) throw notFound('Lampiran / Attachment');
  const visit = await loadVisibleVisit(deps.db, source.principal, row.visitId).catch((err: unknown) => {
    if (err instanceof DomainError && err.kind === 'not-found') throw notFound('Lampiran / Attachment');
    throw err;
  });
  const body = await deps.store.get(row.storageKey);
  await recordAudit(deps.db, source, {
    action: 'visit.attachment.download',
    entityType: 'visit_attachment',
    entityId: row.id,
    officeId: visit.officeId,
    after: { visitId: visit.id },
  });
  return { attachment: row, body };
}
