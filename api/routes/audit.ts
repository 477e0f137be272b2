// Reading the audit trail, newest first. Officers and managers see their own office's rows; administrators all.
import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditLog } from '../../db/schema.js';
import { principalOf } from '../plugins/auth.js';
import { problemResponses } from '../schemas/common.js';

const auditQuery = z
  .object({
    entityType: z.string().min(1).max(50).optional(),
    entityId: z.string().min(1).max(200).optional(),
    businessId: z.uuid().optional(),
    /** Rows about the enrolment itself and rows whose before or after names it (its steps, its notifications). */
    enrolmentId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** nextCursor of the previous page. */
    cursor: z
      .string()
      .regex(/^[1-9]\d{0,14}$/, 'kursor tidak valid / invalid cursor')
      .optional(),
  })
  .strict();

const entrySchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  actorUserId: z.uuid().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  officeId: z.uuid().nullable(),
  businessId: z.uuid().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
});

// Whoever writes an audit row decides what goes in before/after; a secret that slipped in is still never shown.
const secretField = /password|secret|token_?hash/i;

function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      secretField.test(k) && typeof v !== 'boolean' ? '[redacted]' : redactSecrets(v),
    ]),
  );
}

const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/audit',
    {
      onRequest: app.authorize(['admin', 'manager', 'officer']),
      schema: {
        tags: ['audit'],
        summary: 'The audit trail: who changed what, when, before and after, with the request id',
        querystring: auditQuery,
        response: {
          200: z.object({ items: z.array(entrySchema), nextCursor: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      const filters: SQL[] = [];
      if (principal.role !== 'admin') filters.push(eq(auditLog.officeId, principal.officeId!));
      if (q.entityType) filters.push(eq(auditLog.entityType, q.entityType));
      if (q.entityId) filters.push(eq(auditLog.entityId, q.entityId));
      if (q.businessId) filters.push(eq(auditLog.businessId, q.businessId));
      if (q.enrolmentId) {
        filters.push(
          or(
            and(eq(auditLog.entityType, 'enrolment'), eq(auditLog.entityId, q.enrolmentId)),
            sql`${auditLog.after}->>'enrolmentId' = ${q.enrolmentId}`,
            sql`${auditLog.before}->>'enrolmentId' = ${q.enrolmentId}`,
          )!,
        );
      }
      if (q.cursor) filters.push(lt(auditLog.id, Number(q.cursor)));
      const rows = await app.db
        .select()
        .from(auditLog)
        .where(and(...filters))
        .orderBy(desc(auditLog.id))
        .limit(q.limit + 1);
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((r) => ({
          ...r,
          at: r.at.toISOString(),
          before: redactSecrets(r.before),
          after: redactSecrets(r.after),
        })),
        nextCursor: rows.length > q.limit ? String(page.at(-1)!.id) : null,
      };
    },
  );
};

export default auditRoutes;
