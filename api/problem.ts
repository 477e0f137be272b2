// RFC 9457 problem details: every error the API returns has this shape, in Bahasa Indonesia then English.
export interface FieldIssue {
  path: string;
  message: string;
}

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

/** Thrown by handlers and domain services; the error handler turns it into a problem+json answer. */
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

export const notFound = (what: string) => new HttpProblem(404, `${what} tidak ditemukan / ${what} not found`);
export const conflict = (detail: string, extra: Record<string, unknown> = {}) => new HttpProblem(409, detail, extra);
export const badRequest = (detail: string, errors: FieldIssue[]) => new HttpProblem(400, detail, { errors });
