// Bearer-token authentication and role checks. Tokens are stored as SHA-256 hashes; PENDAMPING_ADMIN_TOKEN, when set,
// is an administrator's token for the first login and for scripts.
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
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

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler: the caller must be authenticated with one of these roles (403 otherwise). */
    authorize(roles: readonly Role[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const unauthorized = () => new HttpProblem(401, 'Token tidak ada, tidak valid atau kedaluwarsa / Missing, invalid or expired token');

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
export function assertBusinessScope(principal: Principal, business: { id: string; officeId: string }, what: string): void {
  if (principal.role === 'business') {
    if (principal.businessId !== business.id) throw notFound(what);
    return;
  }
  assertOfficeScope(principal, business.officeId, what);
}

export default fp<{ adminToken: string | undefined }>(
  async (app, { adminToken }) => {
    app.decorateRequest('principal', null);

    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization;
      if (!header) return;
      const match = /^Bearer ([\x21-\x7e]{16,512})$/.exec(header);
      if (!match) throw unauthorized();
      const token = match[1]!;
      if (adminToken && sameSecret(token, adminToken)) {
        request.principal = { userId: null, role: 'admin', officeId: null, businessId: null };
        return;
      }
      const [row] = await app.db
        .select({ tokenId: apiTokens.id, userId: users.id, role: users.role, officeId: users.officeId, businessId: users.businessId })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(
          and(
            eq(apiTokens.tokenHash, hashToken(token)),
            isNull(apiTokens.revokedAt),
            gt(apiTokens.expiresAt, new Date()),
            isNull(users.disabledAt),
          ),
        );
      if (!row) throw unauthorized();
      request.principal = { userId: row.userId, role: row.role, officeId: row.officeId, businessId: row.businessId };
    });

    app.decorate('authorize', (roles: readonly Role[]) => async (request: FastifyRequest) => {
      if (!request.principal) throw unauthorized();
      if (!roles.includes(request.principal.role)) {
        throw new HttpProblem(403, `Peran ${request.principal.role} tidak diizinkan / Role ${request.principal.role} is not allowed here`);
      }
    });
  },
  { name: 'auth', dependencies: ['database'] },
);

/** The authenticated principal; only call after `authorize` ran. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}
