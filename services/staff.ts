// Staff accounts. An administrator manages everyone; a manager (kepala bidang) adds, lists, re-invites and disables the
// officers of their own office. An account is reached by an invitation link, so nobody but its owner ever knows the
// password; a new link (a lost one, a forgotten password) revokes the unused ones before it. Business accounts are made
// by invitation from a business (api/routes/invitations.ts).
import { and, asc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { apiTokens, offices, users } from '../db/schema.js';
import { conflict, forbidden, invalid, notFound } from '../domain/errors.js';
import type { Role } from '../domain/types.js';
import { recordAudit, type AuditContext } from './audit.js';
import { issueToken } from './credentials.js';
import { assertOfficeScope, type Principal } from './principal.js';
import { isUniqueViolation } from './registry-businesses.js';

type Source = AuditContext & { principal: Principal };
type UserRow = typeof users.$inferSelect;
export type StaffRole = 'admin' | 'manager' | 'officer';

const what = 'Pengguna / User';

export const emailTaken = () => conflict('Email sudah dipakai / This email is already in use');

/** Whether a write failed because another account holds the e-mail (two creations at once pass the check before it). */
export const isEmailTaken = (err: unknown) => isUniqueViolation(err, 'users_email_unique');

/**
 * Users by name, a page after `cursor`; a manager's own office only. Each with when its latest unused invitation link
 * expires (in the past: it ran out; null: there is none), so one whose link ran out unused can be given a new one.
 */
export async function listUsers(
  db: Db,
  principal: Principal,
  query: { role?: Role | undefined; officeId?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<{ items: (UserRow & { invitationExpiresAt: Date | null })[]; nextCursor: string | null }> {
  const filters: SQL[] = [];
  if (principal.role !== 'admin') filters.push(eq(users.officeId, principal.officeId!));
  if (query.role) filters.push(eq(users.role, query.role));
  if (query.officeId) filters.push(eq(users.officeId, query.officeId));
  if (query.cursor)
    filters.push(sql`(${users.name}, ${users.id}) > (select name, id from users where id = ${query.cursor})`);
  const rows = await db
    .select({
      user: users,
      // Written out with table aliases: Drizzle leaves columns unqualified in a one-table select, and inside the
      // subquery "id" would be the token's.
      invitationExpiresAt: sql<Date | null>`(
        select max(t.expires_at) from api_tokens t
        where t.user_id = users.id and t.kind = 'invitation' and t.revoked_at is null
      )`.mapWith(apiTokens.expiresAt),
    })
    .from(users)
    .where(and(...filters))
    .orderBy(asc(users.name), asc(users.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit).map((r) => ({ ...r.user, invitationExpiresAt: r.invitationExpiresAt }));
  return { items: page, nextCursor: rows.length > query.limit ? page.at(-1)!.id : null };
}

/** The office a new account belongs to, or a refusal: a manager's officers join the manager's office. */
async function officeOfNew(db: Db, principal: Principal, input: { role: StaffRole; officeId?: string | undefined }) {
  if (principal.role === 'manager') {
    if (input.role !== 'officer')
      throw forbidden('Kepala bidang hanya dapat membuat petugas / A manager may only create officers');
    if (input.officeId && input.officeId !== principal.officeId)
      throw forbidden(
        'Kepala bidang hanya dapat membuat petugas kantornya sendiri / A manager may only create officers of their own office',
      );
    return principal.officeId;
  }
  if (input.role === 'admin') {
    if (input.officeId)
      throw invalid('Administrator tidak terikat kantor / An administrator has no office', [
        { path: 'body.officeId', message: 'harus kosong / must be absent' },
      ]);
    return null;
  }
  if (!input.officeId)
    throw invalid('Kantor wajib diisi / An office is required', [
      { path: 'body.officeId', message: 'wajib / required' },
    ]);
  const [office] = await db.select({ id: offices.id }).from(offices).where(eq(offices.id, input.officeId));
  if (!office)
    throw invalid('Kantor tidak dikenal / Unknown office', [
      { path: 'body.officeId', message: 'tidak ada / no such office' },
    ]);
  return office.id;
}

/** A staff account and its first invitation (the token is shown once). */
export async function createStaff(
  db: Db,
  source: Source,
  input: { name: string; email: string; role: StaffRole; officeId?: string | undefined },
) {
  const officeId = await officeOfNew(db, source.principal, input);
  const email = input.email.toLowerCase();
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (taken) throw emailTaken();
  return db
    .transaction(async (tx) => {
      const [row] = await tx.insert(users).values({ name: input.name, email, role: input.role, officeId }).returning();
      const invitation = await issueToken(tx, row!.id, 'invitation');
      await recordAudit(tx, source, {
        action: 'user.create',
        entityType: 'user',
        entityId: row!.id,
        officeId,
        after: { ...accountView(row!), invitationExpiresAt: invitation.expiresAt },
      });
      return { user: row!, invitation };
    })
    .catch((err: unknown) => {
      throw isEmailTaken(err) ? emailTaken() : err;
    });
}

/**
 * The account a principal may manage, locked for the rest of the transaction: disabling and re-inviting one account
 * then happen one after the other, so a link issued beside a disabling is either refused or revoked by it. A manager
 * manages the officers of their own office; `refusal` says what a manager may not do to anyone else.
 */
async function manageable(
  tx: DbOrTx,
  principal: Principal,
  id: string,
  options: { refusal: string; staffOnly: boolean },
): Promise<UserRow> {
  const [target] = await tx.select().from(users).where(eq(users.id, id)).for('update');
  if (!target || (options.staffOnly && target.role === 'business')) throw notFound(what);
  if (principal.role !== 'admin') {
    assertOfficeScope(principal, target.officeId ?? '', what);
    if (target.role !== 'officer') throw forbidden(options.refusal);
  }
  return target;
}

/** Disables an account (a business's too) and revokes all its tokens; disabling a disabled one changes nothing. */
export async function disableUser(db: Db, source: Source, id: string): Promise<{ user: UserRow; changed: boolean }> {
  return db.transaction(async (tx) => {
    const target = await manageable(tx, source.principal, id, {
      refusal: 'Kepala bidang hanya dapat menonaktifkan petugas / A manager may only disable officers',
      staffOnly: false,
    });
    if (target.id === source.principal.userId)
      throw conflict('Anda tidak dapat menonaktifkan akun sendiri / You cannot disable your own account');
    if (target.disabledAt) return { user: target, changed: false };
    const now = new Date();
    const [disabled] = await tx.update(users).set({ disabledAt: now }).where(eq(users.id, target.id)).returning();
    await tx
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.userId, target.id), isNull(apiTokens.revokedAt)));
    await recordAudit(tx, source, {
      action: 'user.disable',
      entityType: 'user',
      entityId: target.id,
      officeId: target.officeId,
      businessId: target.businessId,
      before: accountView(target),
      after: accountView(disabled!),
    });
    return { user: disabled!, changed: true };
  });
}

/**
 * A new invitation link for an account whose owner lost theirs or forgot the password: the unused links before it are
 * revoked, and accepting it sets a new password. A disabled account gets none.
 */
export async function reinviteStaff(db: Db, source: Source, id: string) {
  return db.transaction(async (tx) => {
    const target = await manageable(tx, source.principal, id, {
      refusal: 'Kepala bidang hanya dapat mengundang ulang petugas / A manager may only re-invite officers',
      staffOnly: true,
    });
    if (target.disabledAt) throw conflict('Akun ini nonaktif / This account is disabled');
    const now = new Date();
    const revoked = await tx
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.userId, target.id), eq(apiTokens.kind, 'invitation'), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    const invitation = await issueToken(tx, target.id, 'invitation', now);
    await recordAudit(tx, source, {
      action: 'user.reinvite',
      entityType: 'user',
      entityId: target.id,
      officeId: target.officeId,
      after: { invitationExpiresAt: invitation.expiresAt, revokedInvitations: revoked.length },
    });
    return { user: target, invitation };
  });
}

/** An account as it is shown and audited: never its password hash, only whether one is set. */
export const accountView = (u: UserRow) => ({
  id: u.id,
  name: u.name,
  email: u.email,
  role: u.role,
  officeId: u.officeId,
  businessId: u.businessId,
  passwordSet: u.passwordHash !== null,
  disabledAt: u.disabledAt?.toISOString() ?? null,
  createdAt: u.createdAt.toISOString(),
});
