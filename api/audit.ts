// The HTTP side of the audit writer (services/audit.ts): a request's principal and id are its audit context.
import type { FastifyRequest } from 'fastify';
import type { DbOrTx } from '../db/client.js';
import { recordAudit as record, type AuditContext, type AuditEntry } from '../services/audit.js';

export const auditContext = (request: FastifyRequest): AuditContext => ({
  principal: request.principal,
  requestId: request.id,
});

export function recordAudit(db: DbOrTx, request: FastifyRequest, entry: AuditEntry): Promise<void> {
  return record(db, auditContext(request), entry);
}
