// Bearer-token authentication and role checks. Tokens are stored as SHA-256 hashes; PENDAMPING_ADMIN_TOKEN, when set,
// is an administrator's token for the first login and for scripts. A business's invitation token opens that business's
// enrolments and notifications, read only, until it is accepted (routes/invitations.ts).
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { createHash, timingSafeEqual } from 'node:crypto';
import { apiTokens, users } from '../../db/schema.js';
import type { Role } from '../../domain/types.js';
import { HttpProblem, notFound } from '../problem.js';

export interface Principal {
  /** null only for the administrator token from the environment. */
  userId: string | null;
  role: Role;
  /** The office whose data an officer or manager may see; null for administrators. */
  officeId: string | null;
  /** The one business a business user may see. */
  businessId: string | null;
}

/** The token a request came with: logout revokes it, /auth/me shows when it expires. */
export interface Credential {
  /** null for the administrator token from the environment, which lives outside the database. */
  tokenId: string | null;
  kind: 'session' | 'invitation' | 'demo' | 'environment';
  expiresAt: Date | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The caller must be authenticated with one of these roles (401 / 403 otherwise). Routes put it in `onRequest`:
     * it needs only the principal, so a caller without the role learns nothing from validation and costs no parsing.
     */
    authorize(roles: readonly Role[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /**
     * Drops this process's cached look-ups of the user's tokens. Call it after a commit that revokes a token or
     * disables the user, so that the change holds at once here (other API processes see it within tokenCacheMs).
     */
    forgetTokensOf(userId: string): void;
  }
  interface FastifyRequest {
    principal: Principal | null;
    credential: Credential | null;
  }
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const unauthorized = () =>
  new HttpProblem(401, 'Token tidak ada, tidak valid atau kedaluwarsa / Missing, invalid or expired token');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(hashToken(a));
  const y = Buffer.from(hashToken(b));
  return timingSafeEqual(x, y);
}

/** May this principal see data of this office? Others get 404, so existence does not leak across offices. */
export function assertOfficeScope(principal: Principal, officeId: string, what: string): void {
  if (principal.role === 'admin') return;
  if (principal.officeId !== officeId) throw notFound(what);
}

/** May this principal see this business's data? */
export function assertBusinessScope(
  principal: Principal,
  business: { id: string; officeId: string },
  what: string,
): void {
  if (principal.role === 'business') {
    if (principal.businessId !== business.id) throw notFound(what);
    return;
  }
  assertOfficeScope(principal, business.officeId, what);
}

/** The route patterns an invitation link opens: a business's own enrolments and notifications, read only. */
const invitationReadable = [/^\/api\/v1\/enrolments(\/|$)/, /^\/api\/v1\/notifications(\/|$)/, /^\/api\/v1\/auth\/me$/];

function assertInvitationMayOpen(request: FastifyRequest): void {
  const pattern = request.routeOptions.url ?? '';
  const reads = request.method === 'GET' || request.method === 'HEAD';
  if (reads && invitationReadable.some((r) => r.test(pattern))) return;
  throw new HttpProblem(
    403,
    'Tautan undangan hanya membuka pendaftaran dan pemberitahuan usaha Anda; buat kata sandi untuk melakukan hal lain / ' +
      "An invitation link only opens your business's enrolments and notifications; set a password to do more",
  );
}

/**
 * How long a token look-up is reused. Every request with a token otherwise costs a query; a token revoked or a user
 * disabled behind this process's back (another API process, SQL) is refused at the latest this long after.
 */
export const tokenCacheMs = 5_000;
/** Bounds the cache's memory against a flood of distinct valid tokens; past it the oldest entries go first. */
const tokenCacheEntries = 10_000;

interface CachedToken {
  principal: Principal;
  credential: Credential;
  /** Date.now() after which the entry is looked up again: tokenCacheMs, or the token's expiry if sooner. */
  until: number;
}

type Hook = (...args: never[]) => unknown;
/** A route's hooks of one kind as an array, for onRoute hooks that add or move some. */
export const asHooks = (value: unknown): Hook[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as Hook];

export default fp<{ adminToken: string | undefined }>(
  async (app, { adminToken }) => {
    app.decorateRequest('principal', null);
    app.decorateRequest('credential', null);
    const rolesOfCheck = new WeakMap<Hook, readonly Role[]>();
    const cache = new Map<string, CachedToken>();
    // Bumped by every eviction: a look-up that was in flight across one may have read the row before the revoking
    // commit, so its answer is used for that request but not cached.
    let evictions = 0;

    app.decorate('forgetTokensOf', (userId: string) => {
      evictions++;
      for (const [hash, entry] of cache) if (entry.principal.userId === userId) cache.delete(hash);
    });

    const lookUp = async (tokenHash: string): Promise<CachedToken | null> => {
      const now = Date.now();
      const hit = cache.get(tokenHash);
      if (hit && hit.until > now) return hit;
      if (hit) cache.delete(tokenHash);
      const evictionsBefore = evictions;
      const [row] = await app.db
        .select({
          tokenId: apiTokens.id,
          kind: apiTokens.kind,
          expiresAt: apiTokens.expiresAt,
          userId: users.id,
          role: users.role,
          officeId: users.officeId,
          businessId: users.businessId,
        })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(
          and(
            eq(apiTokens.tokenHash, tokenHash),
            isNull(apiTokens.revokedAt),
            gt(apiTokens.expiresAt, new Date(now)),
            isNull(users.disabledAt),
          ),
        );
      // An invitation is a bearer token only for the business user it invites; staff accept theirs and log in.
      if (!row || (row.kind === 'invitation' && row.role !== 'business')) return null;
      const entry: CachedToken = {
        principal: { userId: row.userId, role: row.role, officeId: row.officeId, businessId: row.businessId },
        credential: { tokenId: row.tokenId, kind: row.kind, expiresAt: row.expiresAt },
        until: Math.min(now + tokenCacheMs, row.expiresAt.getTime()),
      };
      if (evictions === evictionsBefore) {
        if (cache.size >= tokenCacheEntries) cache.delete(cache.keys().next().value!);
        cache.set(tokenHash, entry);
      }
      return entry;
    };

    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization;
      if (!header) return;
      const match = /^Bearer ([\x21-\x7e]{16,512})$/.exec(header);
      if (!match) throw unauthorized();
      const token = match[1]!;
      if (adminToken && sameSecret(token, adminToken)) {
        request.principal = { userId: null, role: 'admin', officeId: null, businessId: null };
        request.credential = { tokenId: null, kind: 'environment', expiresAt: null };
        return;
      }
      const found = await lookUp(hashToken(token));
      if (!found) throw unauthorized();
      // Copies: a handler may replace parts of them (an accepted invitation acts as its user), never the cache's.
      request.principal = { ...found.principal };
      request.credential = { ...found.credential };
      if (found.credential.kind === 'invitation') assertInvitationMayOpen(request);
    });

    app.decorate('authorize', (roles: readonly Role[]) => {
      const check = async (request: FastifyRequest) => {
        if (!request.principal) throw unauthorized();
        if (!roles.includes(request.principal.role)) {
          throw new HttpProblem(
            403,
            `Peran ${request.principal.role} tidak diizinkan / Role ${request.principal.role} is not allowed here`,
          );
        }
      };
      rolesOfCheck.set(check, roles);
      return check;
    });

    // Each route's roles go into the OpenAPI description as x-roles, where the security suites read them.
    app.addHook('onRoute', (route: RouteOptions) => {
      const roles = asHooks(route.onRequest)
        .map((h) => rolesOfCheck.get(h))
        .find((r) => r !== undefined);
      if (roles) route.schema = { ...route.schema, 'x-roles': [...roles] } as RouteOptions['schema'];
    });
  },
  { name: 'auth', dependencies: ['database'] },
);

/** The authenticated principal; only call after `authorize` ran. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}
