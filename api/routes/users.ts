// Staff accounts. An administrator manages everyone; a manager (kepala bidang) creates, lists and disables the
// officers of their own office. A new account gets an invitation link, so nobody but its owner ever knows the password.
// Business accounts are made by invitation from a business (see invitations.ts).
import { and, asc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiTokens, offices, users } from '../../db/schema.js';
import { roles } from '../../domain/types.js';
import { recordAudit } from '../audit.js';
import { invitationPath, issueToken } from '../../services/credentials.js';
import { assertOfficeScope } from '../../services/principal.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import { principalOf } from '../plugins/auth.js';
import { HttpProblem } from '../problem.js';
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

const user = 'Pengguna / User';

export function isUniqueViolation(err: unknown): boolean {
  const cause = err instanceof Error && 'cause' in err ? err.cause : err;
  return typeof cause === 'object' && cause !== null && (cause as { code?: unknown }).code === '23505';
}

export const emailTaken = () => conflict('Email sudah dipakai / This email is already in use');

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
          200: z.object({ items: z.array(publicUserSchema), nextCursor: z.uuid().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { role, officeId, limit, cursor } = request.query;
      const filters: SQL[] = [];
      if (principal.role !== 'admin') filters.push(eq(users.officeId, principal.officeId!));
      if (role) filters.push(eq(users.role, role));
      if (officeId) filters.push(eq(users.officeId, officeId));
      if (cursor) filters.push(sql`(${users.name}, ${users.id}) > (select name, id from users where id = ${cursor})`);
      const rows = await app.db
        .select()
        .from(users)
        .where(and(...filters))
        .orderBy(asc(users.name), asc(users.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      return { items: page.map(toPublicUser), nextCursor: rows.length > limit ? page.at(-1)!.id : null };
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
      const principal = principalOf(request);
      const body = request.body;
      let officeId: string | null;
      if (principal.role === 'manager') {
        if (body.role !== 'officer')
          throw new HttpProblem(403, 'Kepala bidang hanya dapat membuat petugas / A manager may only create officers');
        if (body.officeId && body.officeId !== principal.officeId) {
          throw new HttpProblem(
            403,
            'Kepala bidang hanya dapat membuat petugas kantornya sendiri / A manager may only create officers of their own office',
          );
        }
        officeId = principal.officeId;
      } else if (body.role === 'admin') {
        if (body.officeId)
          throw invalid('Administrator tidak terikat kantor / An administrator has no office', [
            { path: 'body.officeId', message: 'harus kosong / must be absent' },
          ]);
        officeId = null;
      } else {
        if (!body.officeId)
          throw invalid('Kantor wajib diisi / An office is required', [
            { path: 'body.officeId', message: 'wajib / required' },
          ]);
        const [office] = await app.db.select({ id: offices.id }).from(offices).where(eq(offices.id, body.officeId));
        if (!office)
          throw invalid('Kantor tidak dikenal / Unknown office', [
            { path: 'body.officeId', message: 'tidak ada / no such office' },
          ]);
        officeId = office.id;
      }
      const email = body.email.toLowerCase();
      const [taken] = await app.db.select({ id: users.id }).from(users).where(eq(users.email, email));
      if (taken) throw emailTaken();

      const created = await app.db
        .transaction(async (tx) => {
          const [row] = await tx
            .insert(users)
            .values({ name: body.name, email, role: body.role, officeId })
            .returning();
          const invitation = await issueToken(tx, row!.id, 'invitation');
          await recordAudit(tx, request, {
            action: 'user.create',
            entityType: 'user',
            entityId: row!.id,
            officeId,
            after: { ...toPublicUser(row!), invitationExpiresAt: invitation.expiresAt },
          });
          return { row: row!, invitation };
        })
        .catch((err: unknown) => {
          throw isUniqueViolation(err) ? emailTaken() : err;
        });
      return reply.status(201).send({
        user: toPublicUser(created.row),
        invitation: {
          token: created.invitation.token,
          url: invitationPath(created.invitation.token),
          expiresAt: created.invitation.expiresAt.toISOString(),
        },
      });
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
      const principal = principalOf(request);
      const [target] = await app.db.select().from(users).where(eq(users.id, request.params.id));
      if (!target) throw notFound(user);
      if (principal.role !== 'admin') {
        assertOfficeScope(principal, target.officeId ?? '', user);
        if (target.role !== 'officer')
          throw new HttpProblem(
            403,
            'Kepala bidang hanya dapat menonaktifkan petugas / A manager may only disable officers',
          );
      }
      if (target.id === principal.userId)
        throw conflict('Anda tidak dapat menonaktifkan akun sendiri / You cannot disable your own account');
      if (target.disabledAt) return toPublicUser(target);

      const disabledUser = await app.db.transaction(async (tx) => {
        const now = new Date();
        const [disabled] = await tx
          .update(users)
          .set({ disabledAt: now })
          .where(and(eq(users.id, target.id), isNull(users.disabledAt)))
          .returning();
        if (!disabled) {
          const [current] = await tx.select().from(users).where(eq(users.id, target.id));
          return toPublicUser(current!);
        }
        await tx
          .update(apiTokens)
          .set({ revokedAt: now })
          .where(and(eq(apiTokens.userId, target.id), isNull(apiTokens.revokedAt)));
        await recordAudit(tx, request, {
          action: 'user.disable',
          entityType: 'user',
          entityId: target.id,
          officeId: target.officeId,
          businessId: target.businessId,
          before: toPublicUser(target),
          after: toPublicUser(disabled),
        });
        return toPublicUser(disabled);
      });
      app.forgetTokensOf(target.id);
      return disabledUser;
    },
  );
};

export default userRoutes;
