// What every page needs from the request: the reader's language, the CSRF value its forms repeat, the session
// cookie, and the one way pages change anything: the JSON route itself, called in-process with the reader's own token.
import type { FastifyInstance, FastifyReply, FastifyRequest, InjectOptions } from 'fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Problem } from '../problem.js';
import { csrfCookie, sessionCookie } from '../plugins/auth.js';
import { langs, type Lang } from './i18n.js';

export const langCookie = 'pdp_lang';
const yearSeconds = 365 * 86_400;

const secure = (request: FastifyRequest) => request.protocol === 'https';

export function langOf(request: FastifyRequest): Lang {
  const chosen = request.cookies[langCookie];
  return langs.includes(chosen as Lang) ? (chosen as Lang) : 'id';
}

export function rememberLang(request: FastifyRequest, reply: FastifyReply, lang: Lang): void {
  reply.setCookie(langCookie, lang, { path: '/', maxAge: yearSeconds, sameSite: 'lax', secure: secure(request) });
}

/** The CSRF value for this reader's forms: the cookie's, or a new one set now (double-submit). */
export function csrfOf(request: FastifyRequest, reply: FastifyReply): string {
  const existing = request.cookies[csrfCookie];
  if (existing && /^[\w-]{32,64}$/.test(existing)) return existing;
  const value = randomBytes(24).toString('base64url');
  reply.setCookie(csrfCookie, value, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(request) });
  // Forms rendered in this same answer must repeat it before the browser has stored it.
  request.cookies[csrfCookie] = value;
  return value;
}

export function startSession(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date): void {
  reply.setCookie(sessionCookie, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: secure(request),
    expires: expiresAt,
  });
}

export function endSession(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(sessionCookie, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(request) });
}

/** A path on our own site to return to; anything else (another host, a scheme) becomes the home page. */
export function localPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}

/** A fresh key for a form's hidden idempotency field: a double-clicked submit sends the same key twice. */
export const formKey = () => randomUUID();

/** Whether the reader is staff of an office (or an administrator): who the registry, cohort and quota pages serve. */
export const staffOnly = (request: FastifyRequest) => {
  const role = request.principal?.role;
  return role === 'officer' || role === 'manager' || role === 'admin';
};

/**
 * Sends a reader a staff page is not for away: someone not logged in to log in (and back to `next`), a business to
 * its own home. Null for staff, whom the page serves.
 */
export function awayUnlessStaff(request: FastifyRequest, reply: FastifyReply, next: string) {
  if (!request.principal) return reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
  if (request.principal.role === 'business') return reply.redirect('/', 303);
  return null;
}

export interface ApiAnswer<T> {
  status: number;
  ok: boolean;
  body: T;
  problem: Problem | null;
}

/**
 * Calls a JSON route in-process as the reader (their own token, address and request id), so a page's write passes
 * the very same validation, scope checks, rate limits, idempotency store and audit as the API; there is no second
 * write path to keep in step. The form's idempotency key makes a double-clicked submit act once.
 */
export async function callApi<T>(
  app: FastifyInstance,
  request: FastifyRequest,
  options: {
    method: InjectOptions['method'];
    url: string;
    body?: unknown;
    /** One file, sent as multipart/form-data in the field `file` (an upload form's file, passed on as it came). */
    file?: { fileName: string; data: Buffer };
    idempotencyKey?: string;
    token?: string;
  },
): Promise<ApiAnswer<T>> {
  const token = options.token ?? request.cookies[sessionCookie];
  const headers: Record<string, string> = { 'x-request-id': request.id };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.idempotencyKey && /^[\x21-\x7e]{16,255}$/.test(options.idempotencyKey)) {
    headers['idempotency-key'] = options.idempotencyKey;
  }
  let payload: object | Buffer | undefined = options.body as object | undefined;
  if (options.file) {
    const boundary = `----pendamping-${randomUUID()}`;
    headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
    payload = multipartBody(boundary, options.file);
  }
  const response = await app.inject({
    method: options.method,
    url: options.url,
    headers,
    remoteAddress: request.ip,
    ...(payload !== undefined ? { payload } : {}),
  });
  const text = response.body;
  const body = text && response.headers['content-type']?.toString().includes('json') ? JSON.parse(text) : null;
  const ok = response.statusCode < 400;
  return { status: response.statusCode, ok, body: body as T, problem: ok ? null : (body as Problem) };
}

/** A multipart/form-data body with one file in the field `file`; the name goes as RFC 5987 too, for non-ASCII. */
function multipartBody(boundary: string, file: { fileName: string; data: Buffer }): Buffer {
  const ascii = file.fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${ascii}"; ` +
    `filename*=UTF-8''${encodeURIComponent(file.fileName)}\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), file.data, Buffer.from(`\r\n--${boundary}--\r\n`)]);
}

/** What a page throws for an API answer it cannot show beside a form: the error page says it, with its status. */
export const failedAnswer = (answer: { status: number; problem: Problem | null }) =>
  Object.assign(new Error(answer.problem?.detail ?? 'failed'), { statusCode: answer.status });

/** The `:id` of a page's address; an address whose id is no UUID is a page that does not exist. */
export function idParamOf(request: FastifyRequest): string {
  const id = (request.params as { id: string }).id;
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw Object.assign(new Error('not found'), { statusCode: 404 });
  return id;
}

/** Where the reader reached this server, for a link they will send to someone else (an invitation). */
export const originOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

export const html = (reply: FastifyReply, page: JSX.Element, status = 200) =>
  reply.status(status).type('text/html; charset=utf-8').send(page);
