// Logging in and out, and changing one's own password. A login answers with a bearer token that expires; logout
// revokes the token it came with.
import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiTokens, users } from '../../db/schema.js';
import { roles } from '../../domain/types.js';
import { recordAudit, sourceOf } from '../audit.js';
import { issueToken, passwordSchema, verifyPassword } from '../../services/credentials.js';
import { changePassword } from '../../services/password-change.js';
import { principalOf } from '../plugins/auth.js';
import { HttpProblem } from '../problem.js';
import { problemResponses, problemSchema } from '../schemas/common.js';
import { emailSchema, noBody, publicUserSchema, sessionSchema, toPublicUser } from '../schemas/users.js';

const loginBody = z.object({ email: emailSchema, password: z.string().min(1).max(128) }).strict();

const meSchema = z.object({
  /** null for the administrator token from the environment. */
  user: publicUserSchema.nullable(),
  role: z.enum(roles),
  officeId: z.uuid().nullable(),
  businessId: z.uuid().nullable(),
  token: z.object({
    kind: z.enum(['session', 'invitation', 'demo', 'environment']),
    expiresAt: z.iso.datetime().nullable(),
  }),
});

const loginFailed = () =>
  new HttpProblem(401, 'Email atau kata sandi salah / Wrong email or password', {
    type: 'https://pendamping.id/problems/login-failed',
  });

const authRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with email and password; answers a bearer token that expires after 12 hours',
        description: 'Dibatasi per alamat IP / Rate-limited per client address (429 with Retry-After).',
        security: [],
        body: loginBody,
        response: { 200: sessionSchema, 401: problemSchema, ...problemResponses },
      },
    },
    async (request) => {
      const [user] = await app.db.select().from(users).where(eq(users.email, request.body.email.toLowerCase()));
      const usable = user && !user.disabledAt ? user : undefined;
      const passwordMatches = await verifyPassword(usable?.passwordHash ?? null, request.body.password);
      if (!usable || !passwordMatches) throw loginFailed();
      const issued = await app.db.transaction(async (tx) => {
        const session = await issueToken(tx, usable.id, 'session');
        // From here on the request acts as the user who logged in, so the audit row names them.
        request.principal = {
          userId: usable.id,
          role: usable.role,
          officeId: usable.officeId,
          businessId: usable.businessId,
        };
        await recordAudit(tx, request, {
          action: 'session.create',
          entityType: 'user',
          entityId: usable.id,
          officeId: usable.officeId,
          businessId: usable.businessId,
          after: { tokenId: session.tokenId, kind: 'session', expiresAt: session.expiresAt },
        });
        return session;
      });
      return {
        token: issued.token,
        tokenType: 'Bearer' as const,
        expiresAt: issued.expiresAt.toISOString(),
        user: toPublicUser(usable),
      };
    },
  );

  app.post(
    '/auth/logout',
    {
      onRequest: app.authorize(roles),
      schema: {
        tags: ['auth'],
        summary: 'Revoke the token this request came with',
        body: noBody,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tokenId = request.credential?.tokenId;
      if (!tokenId) {
        throw new HttpProblem(
          422,
          'Token administrator dari lingkungan (PENDAMPING_ADMIN_TOKEN) tidak dapat dicabut lewat API / ' +
            "The environment's administrator token (PENDAMPING_ADMIN_TOKEN) cannot be revoked through the API",
        );
      }
      await app.db.transaction(async (tx) => {
        const revokedAt = new Date();
        const [revoked] = await tx
          .update(apiTokens)
          .set({ revokedAt })
          .where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)))
          .returning({ id: apiTokens.id });
        if (!revoked) return;
        await recordAudit(tx, request, {
          action: 'session.revoke',
          entityType: 'user',
          entityId: principal.userId!,
          officeId: principal.officeId,
          businessId: principal.businessId,
          before: { tokenId, revokedAt: null },
          after: { tokenId, revokedAt },
        });
      });
      app.forgetTokensOf(principal.userId!);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/password',
    {
      onRequest: app.authorize(roles),
      schema: {
        tags: ['auth'],
        summary: 'Change your own password; your other sessions and unused links are revoked, this one stays',
        description: 'Dibatasi per pengguna / Rate-limited per user (429 with Retry-After).',
        body: z.object({ currentPassword: z.string().max(128), newPassword: passwordSchema }).strict(),
        response: { 200: z.object({ revokedTokens: z.number().int() }), ...problemResponses },
      },
    },
    async (request) => {
      const result = await changePassword(app.db, sourceOf(request), request.credential!.tokenId, request.body);
      app.forgetTokensOf(principalOf(request).userId!);
      return result;
    },
  );

  app.get(
    '/auth/me',
    {
      onRequest: app.authorize(roles),
      schema: {
        tags: ['auth'],
        summary: 'Who this token belongs to, with its role, office scope and expiry',
        response: { 200: meSchema, ...problemResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const [user] = principal.userId ? await app.db.select().from(users).where(eq(users.id, principal.userId)) : [];
      return {
        user: user ? toPublicUser(user) : null,
        role: principal.role,
        officeId: principal.officeId,
        businessId: principal.businessId,
        token: { kind: request.credential!.kind, expiresAt: request.credential!.expiresAt?.toISOString() ?? null },
      };
    },
  );
};

export default authRoutes;
