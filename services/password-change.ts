// A signed-in person changes their own password: the current one is checked, the new one set, and every other session
// and unused link of the account revoked (a password changed because it leaked must end the sessions made with it).
// The session that asked stays. The account's row is locked while the current password is checked, so of two changes
// sent at once with the same current password the second is checked against the first one's new password.
import { and, eq, isNull, ne } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiTokens, users } from '../db/schema.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { recordAudit, type AuditContext } from './audit.js';
import { hashPassword, verifyPassword } from './credentials.js';
import type { Principal } from './principal.js';

export async function changePassword(
  db: Db,
  source: AuditContext & { principal: Principal },
  /** The token the request came with, which stays valid. */
  keepTokenId: string | null,
  input: { currentPassword: string; newPassword: string },
): Promise<{ revokedTokens: number }> {
  const userId = source.principal.userId;
  if (!userId)
    throw conflict(
      'Token administrator dari konfigurasi tidak mempunyai kata sandi / The configured administrator token has no password',
    );
  // Hashed before the transaction: argon2 takes tens of milliseconds, too long to hold the row's lock for.
  const newHash = await hashPassword(input.newPassword);
  return db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!user || user.disabledAt) throw notFound('Pengguna / User');
    if (!(await verifyPassword(user.passwordHash, input.currentPassword)))
      throw invalid('Kata sandi sekarang salah / The current password is wrong', [
        { path: 'body.currentPassword', message: 'kata sandi sekarang salah / the current password is wrong' },
      ]);
    await tx.update(users).set({ passwordHash: newHash }).where(eq(users.id, userId));
    const revoked = await tx
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(apiTokens.userId, userId),
          isNull(apiTokens.revokedAt),
          keepTokenId ? ne(apiTokens.id, keepTokenId) : undefined,
        ),
      )
      .returning({ id: apiTokens.id });
    await recordAudit(tx, source, {
      action: 'user.password_change',
      entityType: 'user',
      entityId: userId,
      officeId: user.officeId,
      businessId: user.businessId,
      after: { revokedTokens: revoked.length },
    });
    return { revokedTokens: revoked.length };
  });
}
