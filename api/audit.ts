// The audit trail: who changed what, when, with the state before and after. Written in the same transaction
// as the change, so there is no change without its audit row.
import type { FastifyRequest } from 'fastify';
import type { DbOrTx } from '../db/client.js';
import { auditLog } from '../db/schema.js';

export async function recordAudit(
  db: DbOrTx,
  request: FastifyRequest,
  entry: {
    action: string;
    entityType: string;
    entityId: string;
    officeId?: string | null;
    businessId?: string | null;
    before?: unknown;
    after?: unknown;
  },
): Promise<void> {
  await db.insert(auditLog).values({
    actorUserId: request.principal?.userId ?? null,
    actorRole: request.principal?.role ?? null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    officeId: entry.officeId ?? null,
    businessId: entry.businessId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: request.id,
  });
}
