// The HTTP side of the audit writer (services/audit.ts): a request's principal and id are its audit context.
import type { FastifyRequest } from 'fastify';
import type { DbOrTx } from '../db/client.js';
import { recordAudit as record, type AuditContext, type AuditEntry } from '../services/audit.js';
import type { Principal } from '../services/principal.js';
import { principalOf } from './plugins/auth.js';

export const auditContext = (request: FastifyRequest): AuditContext => ({
  principal: request.principal,
  requestId: request.id,
});

/** What a service that writes is told of its caller: who (signed in, else 401) and the request, for the audit trail. */
export const sourceOf = (request: FastifyRequest): AuditContext & { principal: Principal } => ({
  requestId: request.id,
  principal: principalOf(request),
});

export function recordAudit(db: DbOrTx, request: FastifyRequest, entry: AuditEntry): Promise<void> {
  return record(db, auditContext(request), entry);
}
