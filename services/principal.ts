// Who is acting, and what they may see. The same rules serve JSON routes, pages and scripts: a page and its route
// call the same service with the same principal, so scope is decided here and nowhere else.
import { notFound } from '../domain/errors.js';
import type { Role } from '../domain/types.js';

export interface Principal {
  /** null only for the administrator token from the environment. */
  userId: string | null;
  role: Role;
  /** The office whose data an officer or manager may see; null for administrators. */
  officeId: string | null;
  /** The one business a business user may see. */
  businessId: string | null;
}

/** May this principal see data of this office? Others get "not found", so existence does not leak across offices. */
export function assertOfficeScope(principal: Principal, officeId: string, what: string): void {
  if (principal.role === 'admin') return;
  if (principal.officeId !== officeId) throw notFound(what);
}

/** May this principal see this business's data? */
export function assertBusinessScope(
  principal: Principal,
  business: { id: string; officeId: string },
  what: string,
): void {
  if (principal.role === 'business') {
    if (principal.businessId !== business.id) throw notFound(what);
    return;
  }
  assertOfficeScope(principal, business.officeId, what);
}
