// Notifications and their delivery state. A business reads its own inbox; office staff read their office's.
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notifications } from '../../db/schema.js';
import { principalOf } from '../plugins/auth.js';
import { type Principal } from '../../services/principal.js';
import { notFound } from '../../domain/errors.js';
import { HttpProblem } from '../problem.js';
import { problemResponses, uuidParam } from '../schemas/common.js';

const statuses = ['pending', 'sent', 'failed', 'read'] as const;

const notificationSchema = z.object({
  id: z.uuid(),
  enrolmentId: z.uuid().nullable(),
  businessId: z.uuid().nullable(),
  recipientRole: z.enum(['business', 'officer', 'manager']),
  channel: z.string(),
  kind: z.string(),
  stepKey: z.string().nullable(),
  title: z.object({ id: z.string(), en: z.string() }),
  body: z.object({ id: z.string(), en: z.string() }),
  status: z.enum(statuses),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  scheduledFor: z.string(),
  sentAt: z.string().nullable(),
});

type Row = typeof notifications.$inferSelect;
const present = (n: Row) => ({
  id: n.id,
  enrolmentId: n.enrolmentId,
  businessId: n.businessId,
  recipientRole: n.recipientRole,
  channel: n.channel,
  kind: n.kind,
  stepKey: n.stepKey,
  title: { id: n.titleId, en: n.titleEn },
  body: { id: n.bodyId, en: n.bodyEn },
  status: n.status,
  attempts: n.attempts,
  lastError: n.lastError,
  scheduledFor: n.scheduledFor.toISOString(),
  sentAt: n.sentAt?.toISOString() ?? null,
});

const none = '00000000-0000-0000-0000-000000000000';

/** A business sees what was addressed to it; staff see their office's notices. */
function visibleTo(p: Principal): SQL | undefined {
  if (p.role === 'admin') return undefined;
  if (p.role === 'business')
    return and(eq(notifications.businessId, p.businessId ?? none), eq(notifications.recipientRole, 'business'));
  return eq(notifications.officeId, p.officeId ?? none);
}

const notificationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/notifications',
    {
      onRequest: app.authorize(['admin', 'manager', 'officer', 'business']),
      schema: {
        tags: ['notifications'],
        summary: 'Notifications with their delivery state, newest first (a business: its inbox)',
        querystring: z
          .object({
            status: z.enum(statuses).optional(),
            enrolmentId: z.uuid().optional(),
            recipientRole: z.enum(['business', 'officer', 'manager']).optional(),
            before: z.iso.datetime().optional(),
            limit: z.coerce.number().int().min(1).max(100).default(50),
          })
          .strict(),
        response: {
          200: z.object({ items: z.array(notificationSchema), nextBefore: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const conditions: (SQL | undefined)[] = [visibleTo(principalOf(request))];
      if (q.status) conditions.push(eq(notifications.status, q.status));
      if (q.enrolmentId) conditions.push(eq(notifications.enrolmentId, q.enrolmentId));
      if (q.recipientRole) conditions.push(eq(notifications.recipientRole, q.recipientRole));
      if (q.before) conditions.push(lt(notifications.scheduledFor, new Date(q.before)));
      const rows = await app.db
        .select()
        .from(notifications)
        .where(and(...conditions))
        .orderBy(desc(notifications.scheduledFor), desc(notifications.id))
        .limit(q.limit + 1);
      const page = rows.slice(0, q.limit);
      return {
        items: page.map(present),
        nextBefore: rows.length > q.limit ? page.at(-1)!.scheduledFor.toISOString() : null,
      };
    },
  );

  app.post(
    '/notifications/:id/read',
    {
      onRequest: app.authorize(['admin', 'manager', 'officer', 'business']),
      schema: {
        tags: ['notifications'],
        summary: 'Mark a notification as read',
        params: uuidParam,
        // A POST without a body arrives as null.
        body: z.object({}).strict().nullish(),
        response: { 200: notificationSchema, ...problemResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const [row] = await app.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.id, request.params.id), visibleTo(principal)));
      if (!row) throw notFound('Notifikasi / Notification');
      if (
        row.recipientRole !== principal.role &&
        principal.role !== 'admin' &&
        !(principal.role === 'manager' && row.recipientRole === 'officer')
      ) {
        throw new HttpProblem(403, 'Notifikasi ini bukan untuk Anda / This notification is not addressed to you');
      }
      const [updated] = await app.db
        .update(notifications)
        .set({ status: 'read' })
        .where(eq(notifications.id, row.id))
        .returning();
      return present(updated!);
    },
  );
};

export default notificationRoutes;
