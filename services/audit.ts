// The audit trail: who changed what, when, with the state before and after. Written in the same transaction
// as the change, so there is no change without its audit row.
import type { DbOrTx } from '../db/client.js';
import { auditLog } from '../db/schema.js';
import type { Principal } from './principal.js';

/** Who caused a change: a request's principal and id, or a script acting as one (the import CLI, the demo seed). */
export interface AuditContext {
  principal: Principal | null;
  /** Ties the audit row to the request's log lines. */
  requestId: string;
}

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  officeId?: string | null;
  businessId?: string | null;
  before?: unknown;
  after?: unknown;
}

export async function recordAudit(db: DbOrTx, context: AuditContext, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actorUserId: context.principal?.userId ?? null,
    actorRole: context.principal?.role ?? null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    officeId: entry.officeId ?? null,
    businessId: entry.businessId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: context.requestId,
  });
}
