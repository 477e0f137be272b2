// The documents of each checklist item of a step: uploaded by the business (its own case) or by staff, in versions,
// and reviewed by staff. Each visit of a step asks for its documents afresh (a re-audit wants a new audit report), so
// an item's state is that of its latest version in the step's visit; an accepted version is final for that visit, so
// nothing can take acceptance back from under a completion that relied on it.
//
// Order of writes: the file goes to the store first, then its row commits. A row therefore never names a missing file;
// a file whose row failed to commit is deleted at once, and one left by a crash is swept later (sweepOrphans).
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { conflict, DomainError, invalid, notFound } from '../../domain/errors.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { documents, enrolments, stepInstances, users, visitAttachments } from '../../db/schema.js';
import type { ProgrammeTemplate, TemplateStep } from '../../domain/template.js';
import { programmeTemplate } from '../enrolment-intake.js';
import { loadVisible } from '../enrolments.js';
import { noticeContextOf, recordNotice } from '../notifications/record.js';
import { recordAudit, type AuditContext } from '../audit.js';
import type { Principal } from '../principal.js';
import { assertFileSize, cleanFileName, detectType } from './files.js';
import { sweepOrphans, type DocumentStore } from './store.js';

export { acceptedTypes, maxDocumentBytes, tooLarge } from './files.js';

export interface DocumentDeps {
  db: Db;
  store: DocumentStore;
}

type Source = AuditContext & { principal: Principal };
type DocumentRow = typeof documents.$inferSelect;

export function presentDocument(d: DocumentRow) {
  return {
    id: d.id,
    enrolmentId: d.enrolmentId,
    stepKey: d.stepKey,
    visit: d.visit,
    itemKey: d.itemKey,
    version: d.version,
    fileName: d.fileName,
    sizeBytes: d.sizeBytes,
    contentType: d.contentType,
    sha256: d.sha256,
    uploadedBy: d.uploadedBy,
    uploaderRole: d.uploaderRole,
    uploadedAt: d.uploadedAt.toISOString(),
    status: d.status,
    reviewedBy: d.reviewedBy,
    reviewedAt: d.reviewedAt?.toISOString() ?? null,
    reviewReason: d.reviewReason,
  };
}

export type DocumentView = ReturnType<typeof presentDocument>;

async function templateOf(db: DbOrTx, e: { programmeKey: string; programmeVersion: number }) {
  const template = await programmeTemplate(db, e.programmeKey, e.programmeVersion);
  if (!template) throw new Error(`template ${e.programmeKey} v${e.programmeVersion} is missing`);
  return template;
}

function checklistItem(template: ProgrammeTemplate, stepKey: string, itemKey: string) {
  const step = template.steps.find((s) => s.key === stepKey);
  const item = step?.checklist.find((c) => c.key === itemKey);
  if (!step || !item) throw notFound('Butir daftar periksa / Checklist item');
  return { step, item };
}

type CaseState = { id: string; status: string; currentStep: string | null };

/**
 * The visit of each step whose documents count: a step's last visit, or, for the current step of a running case
 * between a loop's close and its next visit's opening (two activities, so a moment apart), the visit about to open.
 */
async function countingVisits(db: DbOrTx, e: CaseState): Promise<(stepKey: string) => number> {
  const rows = await db
    .select({
      stepKey: stepInstances.stepKey,
      last: sql<number>`max(${stepInstances.visit})::int`,
      open: sql<boolean>`bool_or(${stepInstances.status} in ('open', 'paused'))`,
    })
    .from(stepInstances)
    .where(eq(stepInstances.enrolmentId, e.id))
    .groupBy(stepInstances.stepKey);
  const visits = new Map(rows.map((r) => [r.stepKey, r]));
  const running = e.status === 'active' || e.status === 'paused';
  return (stepKey) => {
    const step = visits.get(stepKey);
    if (!step) return 1;
    return running && stepKey === e.currentStep && !step.open ? step.last + 1 : step.last;
  };
}

/** The versions of each item of a step, oldest first: all of them, and the latest in the counting visit. */
async function itemVersions(db: DbOrTx, e: CaseState, stepKey: string) {
  const [visitOf, rows] = await Promise.all([
    countingVisits(db, e),
    db
      .select()
      .from(documents)
      .where(and(eq(documents.enrolmentId, e.id), eq(documents.stepKey, stepKey)))
      .orderBy(asc(documents.version)),
  ]);
  const visit = visitOf(stepKey);
  return {
    visit,
    lastVersion: (itemKey: string) => rows.filter((r) => r.itemKey === itemKey).at(-1)?.version ?? 0,
    latest: new Map(rows.filter((r) => r.visit === visit).map((r) => [r.itemKey, r])),
  };
}

/**
 * The recorded state a completion is checked against: the checklist items of the step whose latest version in its
 * visit is accepted, and the required ones that are not (by key). The request's own list of keys plays no part.
 */
export async function checklistState(
  db: DbOrTx,
  e: CaseState & { programmeKey: string; programmeVersion: number },
  stepKey: string,
): Promise<{ accepted: string[]; missing: string[] }> {
  const step = (await templateOf(db, e)).steps.find((s) => s.key === stepKey);
  if (!step) return { accepted: [], missing: [] };
  const { latest } = await itemVersions(db, e, stepKey);
  const isAccepted = (key: string) => latest.get(key)?.status === 'accepted';
  return {
    accepted: step.checklist.filter((c) => isAccepted(c.key)).map((c) => c.key),
    missing: step.checklist.filter((c) => c.required && !isAccepted(c.key)).map((c) => c.key),
  };
}

/** Refuses an upload that cannot be taken, before and again (under the enrolment's lock) after the file is written. */
function assertUploadable(
  e: { status: string; currentStep: string | null },
  stepKey: string,
  itemKey: string,
  latest: DocumentRow | undefined,
) {
  if (e.status !== 'active' && e.status !== 'paused') {
    throw conflict(`Pendaftaran berstatus ${e.status} / Enrolment is ${e.status}`);
  }
  if (e.currentStep !== stepKey) {
    throw conflict(
      `Dokumen hanya dapat diunggah untuk langkah yang berjalan (${e.currentStep ?? '-'}) / Documents can only be uploaded for the open step (${e.currentStep ?? '-'})`,
    );
  }
  if (latest?.status === 'accepted') {
    throw conflict(
      `Dokumen ${itemKey} sudah diterima; versi baru tidak diperlukan / Document ${itemKey} is already accepted; no new version is taken`,
      { item: itemKey },
    );
  }
}

/**
 * The case and step an upload is for, if the principal may see the case and the step takes a new version now: checked
 * before the file is read, so an outsider's or a refused upload costs no 20 MB of reading.
 */
export async function uploadTarget(
  db: Db,
  principal: Principal,
  input: { enrolmentId: string; stepKey: string; itemKey: string },
) {
  const e = (await loadVisible(db, principal, input.enrolmentId)).enrolment;
  const { step } = checklistItem(await templateOf(db, e), input.stepKey, input.itemKey);
  assertUploadable(e, step.key, input.itemKey, (await itemVersions(db, e, step.key)).latest.get(input.itemKey));
  return { enrolment: e, step };
}

export async function uploadDocument(
  deps: DocumentDeps,
  source: Source,
  input: { enrolmentId: string; stepKey: string; itemKey: string; fileName: string; data: Buffer },
): Promise<DocumentView> {
  const { principal } = source;
  assertFileSize(input.fileName, input.data);
  const { enrolment: e, step } = await uploadTarget(deps.db, principal, input);
  const contentType = await detectType(input.data, input.fileName);
  const id = randomUUID();
  const storageKey = `${e.id}/${id}`;
  await deps.store.put(storageKey, Readable.from([input.data]), input.data.length);
  try {
    const row = await deps.db.transaction(async (tx) => {
      // The enrolment's row lock orders uploads of one case (versions count up without gaps) and orders them after a
      // step's close, which moves current_step in the same row.
      const [locked] = await tx.select().from(enrolments).where(eq(enrolments.id, e.id)).for('update');
      const versions = await itemVersions(tx, locked!, step.key);
      assertUploadable(locked!, step.key, input.itemKey, versions.latest.get(input.itemKey));
      const [inserted] = await tx
        .insert(documents)
        .values({
          id,
          enrolmentId: e.id,
          stepKey: step.key,
          visit: versions.visit,
          itemKey: input.itemKey,
          version: versions.lastVersion(input.itemKey) + 1,
          fileName: cleanFileName(input.fileName),
          sizeBytes: input.data.length,
          contentType,
          sha256: createHash('sha256').update(input.data).digest('hex'),
          storageKey,
          uploadedBy: principal.userId,
          uploaderRole: principal.role,
        })
        .returning();
      await recordAudit(tx, source, {
        action: 'document.upload',
        entityType: 'document',
        entityId: id,
        officeId: e.officeId,
        businessId: e.businessId,
        after: { ...presentDocument(inserted!), enrolmentId: e.id },
      });
      return inserted!;
    });
    return presentDocument(row);
  } catch (err) {
    // The row did not commit, so the file is nobody's: remove it now rather than leave it to the sweep.
    await deps.store.delete(storageKey).catch(() => {});
    throw err;
  }
}

/**
 * Every checklist item of every step of the case, with its state and versions (newest first) in the step's visit,
 * and the versions of the step's earlier visits.
 */
export async function listDocuments(db: Db, principal: Principal, enrolmentId: string) {
  const e = (await loadVisible(db, principal, enrolmentId)).enrolment;
  const [template, visitOf, rows] = await Promise.all([
    templateOf(db, e),
    countingVisits(db, e),
    db.select().from(documents).where(eq(documents.enrolmentId, e.id)).orderBy(desc(documents.version)),
  ]);
  // Whoever uploaded or reviewed, by name, so a reader sees who did what without a second request.
  const people = [...new Set(rows.flatMap((r) => [r.uploadedBy, r.reviewedBy]).filter((u) => u !== null))];
  const names = new Map(
    people.length === 0
      ? []
      : (await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, people))).map((u) => [
          u.id,
          u.name,
        ]),
  );
  const nameOf = (userId: string | null) => (userId ? (names.get(userId) ?? null) : null);
  const stepsWithItems = template.steps.filter((s: TemplateStep) => s.checklist.length > 0);
  const present = (r: DocumentRow) => ({
    ...presentDocument(r),
    uploaderName: nameOf(r.uploadedBy),
    reviewerName: nameOf(r.reviewedBy),
  });
  return {
    enrolmentId: e.id,
    currentStep: e.currentStep,
    steps: stepsWithItems.map((s) => {
      const visit = visitOf(s.key);
      return {
        stepKey: s.key,
        name: s.name,
        visit,
        open: s.key === e.currentStep && (e.status === 'active' || e.status === 'paused'),
        items: s.checklist.map((c) => {
          const all = rows.filter((r) => r.stepKey === s.key && r.itemKey === c.key);
          const versions = all.filter((r) => r.visit === visit).map(present);
          return {
            itemKey: c.key,
            name: c.name,
            required: c.required,
            state: versions[0]?.status ?? ('missing' as const),
            versions,
            earlierVersions: all.filter((r) => r.visit < visit).map(present),
          };
        }),
      };
    }),
  };
}

export type DocumentList = Awaited<ReturnType<typeof listDocuments>>;

/** A document the principal may see: another office's or business's is "not found", like its case. */
async function visibleDocument(db: Db, principal: Principal, documentId: string) {
  const [row] = await db.select().from(documents).where(eq(documents.id, documentId));
  if (!row) throw notFound('Dokumen / Document');
  const e = await loadVisible(db, principal, row.enrolmentId).catch((err: unknown) => {
    if (err instanceof DomainError && err.kind === 'not-found') throw notFound('Dokumen / Document');
    throw err;
  });
  return { row, enrolment: e.enrolment };
}

/** The file of a document, as a stream; the download is audited. */
export async function openDocument(deps: DocumentDeps, source: Source, documentId: string) {
  const { row, enrolment } = await visibleDocument(deps.db, source.principal, documentId);
  const body = await deps.store.get(row.storageKey);
  await recordAudit(deps.db, source, {
    action: 'document.download',
    entityType: 'document',
    entityId: row.id,
    officeId: enrolment.officeId,
    businessId: enrolment.businessId,
    after: {
      enrolmentId: enrolment.id,
      stepKey: row.stepKey,
      visit: row.visit,
      itemKey: row.itemKey,
      version: row.version,
    },
  });
  return { document: presentDocument(row), body };
}

/**
 * Staff review a submitted version: accepted, or needs revision with a reason. A version is reviewed once: of two
 * reviews at once, the conditional update lets one through and the other gets 409. The business is told either way.
 */
export async function reviewDocument(
  deps: DocumentDeps,
  source: Source,
  documentId: string,
  review: { decision: 'accepted' | 'needs_revision'; reason?: string | undefined },
): Promise<DocumentView> {
  const { row, enrolment } = await visibleDocument(deps.db, source.principal, documentId);
  if (review.decision === 'needs_revision' && !review.reason) {
    throw invalid('Alasan wajib diisi untuk perbaikan / A reason is required for a revision', [
      { path: 'body.reason', message: 'alasan wajib diisi / a reason is required' },
    ]);
  }
  const template = await templateOf(deps.db, enrolment);
  const { step, item } = checklistItem(template, row.stepKey, row.itemKey);
  const reviewed = await deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(documents)
      .set({
        status: review.decision,
        reviewedBy: source.principal.userId,
        reviewedAt: new Date(),
        reviewReason: review.reason ?? null,
      })
      .where(and(eq(documents.id, row.id), eq(documents.status, 'submitted')))
      .returning();
    if (!updated) {
      const [now] = await tx.select({ status: documents.status }).from(documents).where(eq(documents.id, row.id));
      const [id, en] = now?.status === 'accepted' ? ['diterima', 'accepted'] : ['perlu perbaikan', 'needs revision'];
      throw conflict(`Dokumen ini sudah ditinjau: ${id} / This document was already reviewed: ${en}`, {
        reviewStatus: now?.status,
      });
    }
    await recordAudit(tx, source, {
      action: 'document.review',
      entityType: 'document',
      entityId: row.id,
      officeId: enrolment.officeId,
      businessId: enrolment.businessId,
      before: { status: row.status },
      after: { status: updated.status, reason: updated.reviewReason, enrolmentId: enrolment.id },
    });
    const detail = `${item.name.id} v${row.version}${review.reason ? ` — ${review.reason}` : ''}`;
    const ctx = await noticeContextOf(tx, enrolment.id);
    await recordNotice(tx, ctx!, {
      kind: review.decision === 'accepted' ? 'document_reviewed' : 'document_needs_revision',
      step,
      visit: 0,
      occurrence: row.id,
      at: Date.now(),
      dueAt: null,
      reason: detail,
    });
    return updated;
  });
  return presentDocument(reviewed);
}

/**
 * Files in the store that no row names (a crash between the write and the commit), older than the grace period. The
 * store holds the files of case documents and of visit attachments.
 */
export function sweepDocumentOrphans(deps: DocumentDeps, options?: { graceMs?: number; now?: number }) {
  return sweepOrphans(
    deps.store,
    async (keys) => {
      if (keys.length === 0) return new Set();
      const [cases, visits] = await Promise.all([
        deps.db.select({ key: documents.storageKey }).from(documents).where(inArray(documents.storageKey, keys)),
        deps.db
          .select({ key: visitAttachments.storageKey })
          .from(visitAttachments)
          .where(inArray(visitAttachments.storageKey, keys)),
      ]);
      return new Set([...cases, ...visits].map((r) => r.key));
    },
    options,
  );
}
