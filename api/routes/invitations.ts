// Invitations. An officer invites a business (pelaku IKM): the link opens that business's own enrolments and
// notifications at once, read only, and accepting it with a password turns it into an ordinary login. Staff accounts
// created through /users are accepted the same way. An invitation is a token of kind 'invitation', used once.
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiTokens, businesses, users } from '../../db/schema.js';
import { recordAudit } from '../audit.js';
import { hashPassword, hashToken, invitationPath, issueToken, passwordSchema } from '../../services/credentials.js';
import { assertBusinessScope } from '../../services/principal.js';
import { notFound } from '../../domain/errors.js';
import { principalOf } from '../plugins/auth.js';
import { HttpProblem } from '../problem.js';
import { problemResponses, problemSchema, uuidParam } from '../schemas/common.js';
import { emailSchema, invitationSchema, publicUserSchema, sessionSchema, toPublicUser } from '../schemas/users.js';
import { emailTaken, isEmailTaken } from '../../services/staff.js';

const inviteBody = z
  .object({
    /** Defaults to the business's owner (pemilik). */
    name: z.string().trim().min(2).max(200).optional(),
    /** Optional: many IKM are reached by WhatsApp, and the link is what matters. */
    email: emailSchema.optional(),
  })
  .strict()
  .nullish();

const acceptBody = z.object({ token: z.string().min(16).max(512), password: passwordSchema }).strict();

const invalidInvitation = () =>
  new HttpProblem(
    401,
    'Undangan tidak valid, sudah dipakai atau kedaluwarsa / The invitation is invalid, used or expired',
    {
      type: 'https://pendamping.id/problems/invitation-invalid',
    },
  );

const invitationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/businesses/:id/invitations',
    {
      onRequest: app.authorize(['admin', 'manager', 'officer']),
      schema: {
        tags: ['users'],
        summary:
          "Invite a business: its account (made on first invitation) gets a link that opens the business's own data",
        description:
          'Undangan baru mencabut undangan lama yang belum dipakai; juga untuk lupa kata sandi / ' +
          'A new invitation revokes earlier unused ones; it also serves a business that forgot its password.',
        params: uuidParam,
        body: inviteBody,
        response: { 201: z.object({ user: publicUserSchema, invitation: invitationSchema }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const [business] = await app.db
        .select({ id: businesses.id, officeId: businesses.officeId, ownerName: businesses.ownerName })
        .from(businesses)
        .where(eq(businesses.id, request.params.id));
      if (!business) throw notFound('Usaha / Business');
      assertBusinessScope(principal, business, 'Usaha / Business');
      const email = request.body?.email?.toLowerCase() ?? null;

      const result = await app.db
        .transaction(async (tx) => {
          // With an email, the account with that email; without one, the business's account that has none.
          const [existing] = await tx
            .select()
            .from(users)
            .where(
              email
                ? eq(users.email, email)
                : and(eq(users.businessId, business.id), isNull(users.email), isNull(users.disabledAt)),
            )
            .orderBy(asc(users.createdAt))
            .limit(1);
          if (existing && (existing.businessId !== business.id || existing.disabledAt)) throw emailTaken();
          let account = existing;
          if (!account) {
            [account] = await tx
              .insert(users)
              .values({
                name: request.body?.name ?? business.ownerName,
                email,
                role: 'business',
                officeId: business.officeId,
                businessId: business.id,
              })
              .returning();
            await recordAudit(tx, request, {
              action: 'user.create',
              entityType: 'user',
              entityId: account!.id,
              officeId: business.officeId,
              businessId: business.id,
              after: toPublicUser(account!),
            });
          }
          const now = new Date();
          await tx
            .update(apiTokens)
            .set({ revokedAt: now })
            .where(
              and(eq(apiTokens.userId, account!.id), eq(apiTokens.kind, 'invitation'), isNull(apiTokens.revokedAt)),
            );
          const invitation = await issueToken(tx, account!.id, 'invitation', now);
          await recordAudit(tx, request, {
            action: 'invitation.create',
            entityType: 'user',
            entityId: account!.id,
            officeId: business.officeId,
            businessId: business.id,
            after: { tokenId: invitation.tokenId, kind: 'invitation', expiresAt: invitation.expiresAt },
          });
          return { account: account!, invitation };
        })
        .catch((err: unknown) => {
          throw isEmailTaken(err) ? emailTaken() : err;
        });
      // The business's earlier invitation links stop here at once.
      app.forgetTokensOf(result.account.id);
      return reply.status(201).send({
        user: toPublicUser(result.account),
        invitation: {
          token: result.invitation.token,
          url: invitationPath(result.invitation.token),
          expiresAt: result.invitation.expiresAt.toISOString(),
        },
      });
    },
  );

  app.post(
    '/auth/invitations/accept',
    {
      schema: {
        tags: ['auth'],
        summary: 'Accept an invitation: set a password, and get a session token',
        description: 'Dibatasi per alamat IP / Rate-limited per client address (429 with Retry-After).',
        security: [],
        body: acceptBody,
        response: { 200: sessionSchema, 401: problemSchema, ...problemResponses },
      },
    },
    async (request) => {
      const now = new Date();
      const [found] = await app.db
        .select({ tokenId: apiTokens.id, user: users })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(
          and(
            eq(apiTokens.tokenHash, hashToken(request.body.token)),
            eq(apiTokens.kind, 'invitation'),
            isNull(apiTokens.revokedAt),
            gt(apiTokens.expiresAt, now),
            isNull(users.disabledAt),
          ),
        );
      if (!found) throw invalidInvitation();
      const passwordHash = await hashPassword(request.body.password);

      const session = await app.db.transaction(async (tx) => {
        // Used once, even when two people accept the same link at the same moment.
        const [used] = await tx
          .update(apiTokens)
          .set({ revokedAt: now })
          .where(and(eq(apiTokens.id, found.tokenId), isNull(apiTokens.revokedAt)))
          .returning({ id: apiTokens.id });
        if (!used) throw invalidInvitation();
        const [account] = await tx.update(users).set({ passwordHash }).where(eq(users.id, found.user.id)).returning();
        const issued = await issueToken(tx, account!.id, 'session', now);
        // From here on the request acts as the invited user, so the audit row names them.
        request.principal = {
          userId: account!.id,
          role: account!.role,
          officeId: account!.officeId,
          businessId: account!.businessId,
        };
        await recordAudit(tx, request, {
          action: 'invitation.accept',
          entityType: 'user',
          entityId: account!.id,
          officeId: account!.officeId,
          businessId: account!.businessId,
          before: { tokenId: found.tokenId, passwordSet: found.user.passwordHash !== null },
          after: { tokenId: found.tokenId, passwordSet: true, sessionTokenId: issued.tokenId },
        });
        return { issued, account: account! };
      });
      app.forgetTokensOf(session.account.id);
      return {
        token: session.issued.token,
        tokenType: 'Bearer' as const,
        expiresAt: session.issued.expiresAt.toISOString(),
        user: toPublicUser(session.account),
      };
    },
  );
};

export default invitationRoutes;
