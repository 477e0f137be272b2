// The notes thread of a case. Staff write internal notes (staff only) or shared ones (the business reads them); a
// business writes shared notes on its own case. Nothing is edited or deleted (the table refuses it): a correction is a
// new note. A shared note tells the other side.
import { and, asc, eq } from 'drizzle-orm';
import { invalid } from '../domain/errors.js';
import type { Db } from '../db/client.js';
import { caseNotes, users } from '../db/schema.js';
import { loadVisible } from './enrolments.js';
import { recordEnrolmentNotice } from './notifications/record.js';
import { recordAudit, type AuditContext } from './audit.js';
import type { Principal } from './principal.js';

type Source = AuditContext & { principal: Principal };

function present(row: typeof caseNotes.$inferSelect, authorName: string | null) {
  return {
    id: row.id,
    enrolmentId: row.enrolmentId,
    authorUserId: row.authorUserId,
    authorName,
    authorRole: row.authorRole,
    visibility: row.visibility,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
  };
}

export type CaseNote = ReturnType<typeof present>;

/** The thread, oldest first: all of it for staff, the shared notes for the business. */
export async function listNotes(db: Db, principal: Principal, enrolmentId: string): Promise<CaseNote[]> {
  const e = (await loadVisible(db, principal, enrolmentId)).enrolment;
  const rows = await db
    .select({ note: caseNotes, authorName: users.name })
    .from(caseNotes)
    .leftJoin(users, eq(users.id, caseNotes.authorUserId))
    .where(
      and(
        eq(caseNotes.enrolmentId, e.id),
        principal.role === 'business' ? eq(caseNotes.visibility, 'shared') : undefined,
      ),
    )
    .orderBy(asc(caseNotes.createdAt), asc(caseNotes.id));
  return rows.map((r) => present(r.note, r.authorName));
}

export async function addNote(
  db: Db,
  source: Source,
  enrolmentId: string,
  input: { body: string; visibility: 'internal' | 'shared' },
): Promise<CaseNote> {
  const { principal } = source;
  const e = (await loadVisible(db, principal, enrolmentId)).enrolment;
  if (principal.role === 'business' && input.visibility !== 'shared') {
    throw invalid('Usaha hanya dapat menulis catatan bersama / A business can only write shared notes', [
      { path: 'body.visibility', message: "harus 'shared' / must be 'shared'" },
    ]);
  }
  const note = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(caseNotes)
      .values({
        enrolmentId: e.id,
        authorUserId: principal.userId,
        authorRole: principal.role,
        visibility: input.visibility,
        body: input.body,
      })
      .returning();
    await recordAudit(tx, source, {
      action: 'enrolment.note',
      entityType: 'case_note',
      entityId: row!.id,
      officeId: e.officeId,
      businessId: e.businessId,
      after: { enrolmentId: e.id, visibility: row!.visibility },
    });
    if (input.visibility === 'shared') {
      // The side that did not write it hears of it: the office from the business, the business from the office.
      await recordEnrolmentNotice(tx, e.id, {
        kind: 'note_shared',
        occurrence: row!.id,
        at: row!.createdAt.getTime(),
        reason: input.body.length > 280 ? `${input.body.slice(0, 279)}…` : input.body,
        to: principal.role === 'business' ? ['officer'] : ['business'],
      });
    }
    return row!;
  });
  const [author] = principal.userId
    ? await db.select({ name: users.name }).from(users).where(eq(users.id, principal.userId))
    : [];
  return present(note, author?.name ?? null);
}
