// RFC 9457 problem details: every error the API returns has this shape, in Bahasa Indonesia then English.
import type { DomainError, DomainErrorKind, FieldIssue } from '../domain/errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldIssue[];
  [extension: string]: unknown;
}

const titles: Record<number, string> = {
  400: 'Permintaan tidak valid / Bad request',
  401: 'Perlu autentikasi / Authentication required',
  403: 'Tidak diizinkan / Forbidden',
  404: 'Tidak ditemukan / Not found',
  405: 'Metode tidak diizinkan / Method not allowed',
  409: 'Konflik / Conflict',
  413: 'Permintaan terlalu besar / Payload too large',
  415: 'Jenis konten tidak didukung / Unsupported media type',
  422: 'Tidak dapat diproses / Unprocessable content',
  429: 'Terlalu banyak permintaan / Too many requests',
  500: 'Kesalahan server / Internal server error',
  503: 'Layanan belum siap / Service unavailable',
};

export function titleFor(status: number): string {
  return titles[status] ?? (status >= 500 ? titles[500]! : titles[400]!);
}

/** Thrown by HTTP-only checks (authentication, rate limits, media types); services throw DomainError instead. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly extra: { type?: string; errors?: FieldIssue[]; [k: string]: unknown } = {},
  ) {
    super(detail);
  }

  toProblem(instance?: string): Problem {
    const { type, ...rest } = this.extra;
    return {
      type: type ?? `https://pendamping.id/problems/${this.status}`,
      title: titleFor(this.status),
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...rest,
    };
  }
}

/** The one mapping from a domain error's kind to its HTTP status. */
export const statusOfKind: Record<DomainErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-type': 415,
  unprocessable: 422,
  unavailable: 503,
};

export const problemOf = (error: DomainError) => new HttpProblem(statusOfKind[error.kind], error.detail, error.extra);

/** A page's own refusal, before the API is asked (no file chosen, two chosen), in the API's problem shape. */
export const formProblem = (status: number, path: string, message: string): Problem => ({
  type: `https://pendamping.id/problems/${status}`,
  title: 'Permintaan tidak valid / Bad request',
  status,
  detail: message,
  errors: [{ path, message }],
});
