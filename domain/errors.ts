// Domain errors: what an operation refuses, in the domain's terms and below HTTP. Services, activities and scripts
// throw them; the API's error plugin (api/plugins/errors.ts) is the one place that turns them into problem+json, and a
// page shows the same detail beside the form that caused it. Messages are in Bahasa Indonesia, then English.

/** One field a person must correct: a dotted path (`body.nib`, `rows.3.kbli`) and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * invalid → 400, forbidden → 403, not-found → 404, conflict → 409, unprocessable → 422; unavailable → 503: accepted,
 * but a write it needs keeps failing, which is the server's trouble and not the caller's.
 */
export type DomainErrorKind = 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'unprocessable' | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly detail: string,
    /** `errors` for field issues, `type` for a specific problem type URI, anything else travels as an extension. */
    readonly extra: { type?: string; errors?: FieldIssue[]; [k: string]: unknown } = {},
  ) {
    super(detail);
  }
}

export const notFound = (what: string) => new DomainError('not-found', `${what} tidak ditemukan / ${what} not found`);
export const conflict = (detail: string, extra: Record<string, unknown> = {}) =>
  new DomainError('conflict', detail, extra);
export const invalid = (detail: string, errors: FieldIssue[]) => new DomainError('invalid', detail, { errors });
export const forbidden = (detail: string) => new DomainError('forbidden', detail);
