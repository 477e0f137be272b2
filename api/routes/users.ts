// Staff accounts (services/staff.ts): an administrator manages everyone; a manager (kepala bidang) creates, lists,
// re-invites and disables the officers of their own office. Business accounts are made by invitation from a business
// (see invitations.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { roles } from '../../domain/types.js';
import { invitationPath } from '../../services/credentials.js';
import { createStaff, disableUser, listUsers, reinviteStaff } from '../../services/staff.js';
import { sourceOf } from '../audit.js';
import { principalOf } from '../plugins/auth.js';
import { problemResponses, uuidParam } from '../schemas/common.js';
import { emailSchema, invitationSchema, noBody, publicUserSchema, toPublicUser } from '../schemas/users.js';

const listQuery = z
  .object({
    role: z.enum(roles).optional(),
    officeId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    /** The id of the last user of the previous page. */
    cursor: z.uuid().optional(),
  })
  .strict();

const createBody = z
  .object({
    name: z.string().trim().min(2).max(200),
    email: emailSchema,
    role: z.enum(['admin', 'manager', 'officer']),
    /** Required for a manager or officer created by an administrator; a manager's officers join the manager's office. */
    officeId: z.uuid().optional(),
  })
  .strict();

const createdSchema = z.object({ user: publicUserSchema, invitation: invitationSchema });

/** An invitation as the API shows it, once: the token, the page that opens it, its expiry. */
const shownInvitation = (invitation: { token: string; expiresAt: Date }) => ({
  token: invitation.token,
  url: invitationPath(invitation.token),
  expiresAt: invitation.expiresAt.toISOString(),
});

const userRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/users',
    {
      onRequest: app.authorize(['admin', 'manager']),
      schema: {
        tags: ['users'],
        summary: 'Users by name; a manager sees the users of their own office',
        querystring: listQuery,
        response: {
          200: z.object({
            items: z.array(
              publicUserSchema.extend({
                invitationExpiresAt: z.iso
                  .datetime()
                  .nullable()
                  .describe(
                    'when the latest unused invitation link expires (in the past: it ran out unused); null: there is none',
                  ),
              }),
            ),
            nextCursor: z.uuid().nullable(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const page = await listUsers(app.db, principalOf(request), request.query);
      return {
        items: page.items.map((u) => ({
          ...toPublicUser(u),
          invitationExpiresAt: u.invitationExpiresAt?.toISOString() ?? null,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post(
    '/users',
    {
      onRequest: app.authorize(['admin', 'manager']),
      schema: {
        tags: ['users'],
        summary: 'Create a staff account; answers an invitation link (shown once) where its owner sets a password',
        body: createBody,
        response: { 201: createdSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const created = await createStaff(app.db, sourceOf(request), request.body);
      return reply
        .status(201)
        .send({ user: toPublicUser(created.user), invitation: shownInvitation(created.invitation) });
    },
  );

  app.post(
    '/users/:id/disable',
    {
      onRequest: app.authorize(['admin', 'manager']),
      schema: {
        tags: ['users'],
        summary: 'Disable a user and revoke all their tokens; a manager may disable the officers of their own office',
        params: uuidParam,
        body: noBody,
        response: { 200: publicUserSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { user, changed } = await disableUser(app.db, sourceOf(request), request.params.id);
      if (changed) app.forgetTokensOf(user.id);
      return toPublicUser(user);
    },
  );

  app.post(
    '/users/:id/invitations',
    {
      onRequest: app.authorize(['admin', 'manager']),
      schema: {
        tags: ['users'],
        summary: 'A new invitation link for a staff account (shown once), for a lost link or a forgotten password',
        description:
          'Undangan baru mencabut undangan lama yang belum dipakai; menerimanya menetapkan kata sandi baru. Akun nonaktif ' +
          'tidak mendapat undangan (409) / A new invitation revokes earlier unused ones; accepting it sets a new ' +
          'password. A disabled account gets none (409).',
        params: uuidParam,
        body: noBody,
        response: { 201: createdSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { user, invitation } = await reinviteStaff(app.db, sourceOf(request), request.params.id);
      // The links it revoked hold at once in this process, as a disabling does.
      app.forgetTokensOf(user.id);
      return reply.status(201).send({ user: toPublicUser(user), invitation: shownInvitation(invitation) });
    },
  );
};

export default userRoutes;
