// Passwords and bearer tokens. Passwords are hashed with argon2id (memory-hard, OWASP's parameters); tokens are
// random, shown once, and stored only as a SHA-256 hash (a token has 256 bits of entropy, so a fast hash suffices).
import { hash, verify } from '@node-rs/argon2';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.js';
import { apiTokens } from '../db/schema.js';

/** Tokens are looked up by this hash; the clear token exists only in the hands of its holder. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

type TokenKind = (typeof apiTokens.$inferInsert)['kind'];

/** How long each kind of token lives. */
export const tokenLifetimeMs: Record<TokenKind, number> = {
  session: 12 * 3_600_000,
  invitation: 14 * 86_400_000,
  demo: 30 * 86_400_000,
};

// @node-rs/argon2 declares its Algorithm enum as an ambient const enum, which isolatedModules cannot read: 2 is Argon2id.
const argon2id = 2;
const argon2Options = { algorithm: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const passwordSchema = z
  .string()
  .min(10, 'kata sandi minimal 10 karakter / a password needs at least 10 characters')
  .max(128, 'kata sandi maksimal 128 karakter / a password has at most 128 characters');

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options);
}

// A login for an unknown user still pays for one verification, so the answer's timing does not reveal who exists.
let decoyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) {
    decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verify(await decoyHash, password);
    return false;
  }
  return verify(passwordHash, password);
}

/** A new bearer token: stored as its hash, returned in clear once. */
export async function issueToken(
  db: DbOrTx,
  userId: string,
  kind: TokenKind,
  now = new Date(),
): Promise<{ token: string; tokenId: string; expiresAt: Date }> {
  const token = `pdp_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + tokenLifetimeMs[kind]);
  const [row] = await db
    .insert(apiTokens)
    .values({ userId, tokenHash: hashToken(token), kind, expiresAt })
    .returning({ id: apiTokens.id });
  return { token, tokenId: row!.id, expiresAt };
}

/** Where a person opens an invitation; the dashboard reads the token from the path. */
export const invitationPath = (token: string) => `/invite/${token}`;
