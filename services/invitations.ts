// Who an invitation link is for, before it is accepted: a business (whose link opens its own pages at once) or a
// staff member (whose link only sets a password). Null for a link that is unknown, used, revoked or expired.
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiTokens, users } from '../db/schema.js';
import type { Role } from '../domain/types.js';
import { hashToken } from './credentials.js';

export async function invitationHolder(
  db: Db,
  token: string,
  now = new Date(),
): Promise<{ role: Role; name: string; expiresAt: Date } | null> {
  const [row] = await db
    .select({ role: users.role, name: users.name, expiresAt: apiTokens.expiresAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, hashToken(token)),
        eq(apiTokens.kind, 'invitation'),
        isNull(apiTokens.revokedAt),
        gt(apiTokens.expiresAt, now),
        isNull(users.disabledAt),
      ),
    );
  return row ?? null;
}
