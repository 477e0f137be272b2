// Bearer-token authentication and role checks. Tokens are stored as SHA-256 hashes; PENDAMPING_ADMIN_TOKEN, when set,
// is an administrator's token for the first login and for scripts. A business's invitation token opens that business's
// enrolments and notifications, read only, until it is accepted (routes/invitations.ts).
// The pages carry the same token in an httpOnly cookie instead of a header (api/pages/session.ts sets it); a request
// authenticated by that cookie must prove it came from our own page before it may change anything (CSRF).
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { timingSafeEqual } from 'node:crypto';
import { keepListening } from '../../db/client.js';
import { apiTokens, users } from '../../db/schema.js';
import type { Role } from '../../domain/types.js';
import { hashToken } from '../../services/credentials.js';
import type { Principal } from '../../services/principal.js';
import { HttpProblem } from '../problem.js';

/** The token a request came with: logout revokes it, /auth/me shows when it expires. */
export interface Credential {
  /** null for the administrator token from the environment, which lives outside the database. */
  tokenId: string | null;
  kind: 'session' | 'invitation' | 'demo' | 'environment';
  expiresAt: Date | null;
  /** Where the token came from: an Authorization header (the API) or the session cookie (the pages). */
  via: 'bearer' | 'cookie';
}

/** The pages' session cookie: the same token a login answers, httpOnly so no script can read it. */
export const sessionCookie = 'pdp_session';
/** A random value in a cookie, repeated by every form (field `_csrf`) and script (header `x-csrf-token`). */
export const csrfCookie = 'pdp_csrf';
export const csrfField = '_csrf';
const csrfHeader = 'x-csrf-token';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Compares the submitted CSRF value with the cookie's in constant time; both must be present. */
export function csrfMatches(request: FastifyRequest, submitted: unknown): boolean {
  const expected = request.cookies[csrfCookie];
  if (typeof submitted !== 'string' || !expected || submitted.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(submitted), Buffer.from(expected));
}

const csrfRefused = () =>
  new HttpProblem(403, 'Token CSRF tidak ada atau salah / Missing or wrong CSRF token', {
    type: 'https://pendamping.id/problems/csrf',
  });

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The caller must be authenticated with one of these roles (401 / 403 otherwise). Routes put it in `onRequest`:
     * it needs only the principal, so a caller without the role learns nothing from validation and costs no parsing.
     */
    authorize(
      roles: readonly Role[],
    ): (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => void;
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

const unauthorized = () =>
  new HttpProblem(401, 'Token tidak ada, tidak valid atau kedaluwarsa / Missing, invalid or expired token');

/** Compares two tokens' hashes (equal lengths, so in constant time whatever the tokens' lengths). */
function sameHash(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * What an invitation link opens: through the API, a business's own enrolments (with their notes and documents, the
 * files too) and notifications, read only; every page to read (each page shows only what the API gives the reader),
 * and of the pages' forms only accepting the invitation and logging out. Whose data it is stays the services' rule
 * (services/principal.ts): this list only says which kinds of reading an invitation is for.
 */
const invitationReadable = [
  /^\/api\/v1\/enrolments(\/|$)/,
  /^\/api\/v1\/documents\/:id$/,
  /^\/api\/v1\/notifications(\/|$)/,
  /^\/api\/v1\/auth\/me$/,
];
const invitationPostable = ['/invite/accept', '/logout'];

function assertInvitationMayOpen(request: FastifyRequest): void {
  const pattern = request.routeOptions.url ?? '';
  const reads = request.method === 'GET' || request.method === 'HEAD';
  if (reads && (!pattern.startsWith('/api/') || invitationReadable.some((r) => r.test(pattern)))) return;
  if (request.method === 'POST' && invitationPostable.includes(pattern)) return;
  throw new HttpProblem(
    403,
    'Tautan undangan hanya membuka pendaftaran dan pemberitahuan usaha Anda; buat kata sandi untuk melakukan hal lain / ' +
      "An invitation link only opens your business's enrolments and notifications; set a password to do more",
  );
}

/**
 * How long a token look-up is reused while this process does not hear of changes (its LISTEN connection is down). Every
 * request with a token otherwise costs a query; a token revoked or a user disabled behind this process's back (another
 * API process, SQL) is refused at the latest this long after.
 */
export const tokenCacheMs = 5_000;
/**
 * How long a look-up is reused while this process listens on `pendamping_tokens` (migration 0019): a change to a token
 * or to its user's role, office, business or disabling is announced at its commit and drops the user's entries at once,
 * so the reuse is bounded only to keep an entry from living for ever. An officer's requests are usually more than
 * tokenCacheMs apart (one form after another), so with the short bound nearly every request paid the query.
 */
export const tokenCacheListeningMs = 5 * 60_000;
export const tokenChannel = 'pendamping_tokens';
/** Bounds the cache's memory against a flood of distinct valid tokens; past it the oldest entries go first. */
const tokenCacheEntries = 10_000;

interface CachedToken {
  /** The token's row joined with its user's, as the look-up read it; each request copies what it needs. */
  row: {
    tokenId: string;
    kind: Credential['kind'];
    expiresAt: Date;
    userId: string;
    role: Role;
    officeId: string | null;
    businessId: string | null;
  };
  /** Date.now() after which the entry is looked up again: tokenCacheMs, or the token's expiry if sooner. */
  until: number;
}

type Hook = (...args: never[]) => unknown;
/** A route's hooks of one kind as an array, for onRoute hooks that add or move some. */
export const asHooks = (value: unknown): Hook[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as Hook];

export default fp<{ adminToken: string | undefined }>(
  async (app, { adminToken }) => {
    // Hashed once: each request hashes its own token once, for this comparison and the look-up alike.
    const adminTokenHash = adminToken ? hashToken(adminToken) : null;
    app.decorateRequest('principal', null);
    app.decorateRequest('credential', null);
    const rolesOfCheck = new WeakMap<Hook, readonly Role[]>();
    const cache = new Map<string, CachedToken>();
    // Bumped by every eviction: a look-up that was in flight across one may have read the row before the revoking
    // commit, so its answer is used for that request but not cached.
    let evictions = 0;

    const forget = (userId: string) => {
      evictions++;
      for (const [hash, entry] of cache) if (entry.row.userId === userId) cache.delete(hash);
    };
    const forgetAll = () => {
      evictions++;
      cache.clear();
    };
    app.decorate('forgetTokensOf', forget);

    // Changes committed anywhere (another API process, SQL) drop the entries of the user they touch. While this
    // connection is down nothing is announced: the cache is emptied and entries live tokenCacheMs only.
    const tokens = await keepListening(app.database, tokenChannel, {
      onnotify: (payload) => (payload === '*' ? forgetAll() : forget(payload)),
      // A change committed while nobody listened was never announced: what was cached meanwhile goes.
      onListening: forgetAll,
      onDropped: forgetAll,
      onRefused: (err) => app.log.warn({ err }, 'token cache: cannot LISTEN; retrying'),
    });
    app.addHook('onClose', () => tokens.close());

    // A callback hook: a token found in the cache authenticates without a promise.
    app.addHook('onRequest', (request, _reply, done) => {
      const header = request.headers.authorization;
      if (!header) {
        authenticateByCookie(request).then(() => done(), done);
        return;
      }
      const match = /^Bearer ([\x21-\x7e]{16,512})$/.exec(header);
      if (!match) {
        done(unauthorized());
        return;
      }
      const tokenHash = hashToken(match[1]!);
      if (adminTokenHash && sameHash(tokenHash, adminTokenHash)) {
        request.principal = { userId: null, role: 'admin', officeId: null, businessId: null };
        request.credential = { tokenId: null, kind: 'environment', expiresAt: null, via: 'bearer' };
        done();
        return;
      }
      const hit = cached(tokenHash);
      if (hit) {
        try {
          authenticate(request, hit, 'bearer');
        } catch (err) {
          done(err as Error);
          return;
        }
        done();
        return;
      }
      lookUp(tokenHash)
        .then((found) => {
          if (!found) throw unauthorized();
          authenticate(request, found, 'bearer');
        })
        .then(() => done(), done);
    });

    /**
     * A stale or forged cookie makes the request anonymous rather than refused, so a page can send the person to
     * /login. The environment's administrator token is never a cookie: it is for scripts.
     */
    async function authenticateByCookie(request: FastifyRequest) {
      const token = request.cookies[sessionCookie];
      if (!token || !/^[\x21-\x7e]{16,512}$/.test(token)) return;
      const found = await lookUp(hashToken(token));
      if (!found) return;
      authenticate(request, found, 'cookie');
      // A page's own forms are checked by the pages (their token travels in the body); a script must send the header.
      const isPage = !request.url.startsWith('/api/');
      if (!safeMethods.has(request.method) && !isPage && !csrfMatches(request, request.headers[csrfHeader])) {
        throw csrfRefused();
      }
    }

    type Found = NonNullable<Awaited<ReturnType<typeof lookUp>>>;

    function authenticate(request: FastifyRequest, row: Found, via: Credential['via']) {
      request.principal = { userId: row.userId, role: row.role, officeId: row.officeId, businessId: row.businessId };
      request.credential = { tokenId: row.tokenId, kind: row.kind, expiresAt: row.expiresAt, via };
      if (row.kind === 'invitation') assertInvitationMayOpen(request);
    }

    // Prepared once (parsed once per connection, one round trip): it runs for every request whose token is not cached,
    // the first of each token every tokenCacheMs.
    const tokenQuery = app.db
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
          eq(apiTokens.tokenHash, sql.placeholder('tokenHash')),
          isNull(apiTokens.revokedAt),
          gt(apiTokens.expiresAt, sql`${sql.placeholder('now')}::timestamptz`),
          isNull(users.disabledAt),
        ),
      )
      .prepare('token_look_up');

    /** The cached look-up of a token, while it is still good. */
    function cached(tokenHash: string): CachedToken['row'] | null {
      const hit = cache.get(tokenHash);
      if (!hit) return null;
      if (hit.until > Date.now()) return hit.row;
      cache.delete(tokenHash);
      return null;
    }

    async function lookUp(tokenHash: string) {
      const hit = cached(tokenHash);
      if (hit) return hit;
      const now = Date.now();
      const evictionsBefore = evictions;
      const [row] = await tokenQuery.execute({ tokenHash, now: new Date(now).toISOString() });
      // An invitation is a bearer token only for the business user it invites; staff accept theirs and log in.
      if (!row || (row.kind === 'invitation' && row.role !== 'business')) return null;
      if (evictions === evictionsBefore) {
        if (cache.size >= tokenCacheEntries) cache.delete(cache.keys().next().value!);
        const reuse = tokens.listening ? tokenCacheListeningMs : tokenCacheMs;
        cache.set(tokenHash, { row, until: Math.min(now + reuse, row.expiresAt.getTime()) });
      }
      return row;
    }

    app.decorate('authorize', (roles: readonly Role[]) => {
      // A callback, not an async hook: every authorised request passes here, and a promise per request shows.
      const check = (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
        const principal = request.principal;
        if (!principal) done(unauthorized());
        else if (!roles.includes(principal.role)) {
          done(
            new HttpProblem(
              403,
              `Peran ${principal.role} tidak diizinkan / Role ${principal.role} is not allowed here`,
            ),
          );
        } else done();
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
  { name: 'auth', dependencies: ['database', '@fastify/cookie'] },
);

/** The authenticated principal; only call after `authorize` ran. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}
