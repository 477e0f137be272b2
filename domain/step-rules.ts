// Who may do what to a step. Pure: used by the workflow's update validators and by the API.
import type { Actor, Role } from './types.js';

/**
 * A business completes only its own steps. Officers and managers complete officer steps, record the results of
 * external bodies (BPJPH, LPH, MUI, Pendamping PPH) and may complete a business step on the business's behalf
 * (a document handed in at the office).
 */
export function mayCompleteStep(role: Role, actor: Actor): boolean {
  if (role === 'business') return actor === 'business';
  return role === 'officer' || role === 'manager' || role === 'admin';
}

/** Deadlines, pauses and withdrawals are office decisions. */
export function mayManageEnrolment(role: Role): boolean {
  return role === 'officer' || role === 'manager' || role === 'admin';
}
