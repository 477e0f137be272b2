// Idempotency-Key on every mutating request under /api/v1, with no code in the handlers: a retried request with the
// same key and body gets the stored answer (status and body) without the work being done again; the same key with
// another body is refused (422), and so is a second request while the first is still running (409).
//
// Only successful answers are kept: an error means nothing was written (see the invariants), so the key is released
// and a retry does the work; so is an answer streamed rather than sent whole (an export), which cannot be kept. Answers are kept 24 hours. A claim whose request died with its process is taken over
// after 5 minutes. Stored answers can hold secrets (a session or invitation token), and request bodies can hold a
// password, so nothing is stored in clear: the key itself is stored only as an HKDF-derived identifier, the body
// only as an HMAC under a key derived from it, and the answer encrypted (AES-256-GCM) under another; only the
// client, which holds the Idempotency-Key, can make the database give the answer back.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { idempotencyKeys } from '../../db/schema.js';
import { HttpProblem } from '../problem.js';
import { asHooks } from './auth.js';

/** Lets a page tell a double-clicked submit (the first is still at work) from a real conflict. */
export const inProgressType = 'https://pendamping.id/problems/idempotency-in-progress';

const mutatingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Long enough that a client's random key (a UUID) also makes a strong encryption key; printable ASCII only. */
const keyFormat = /^[\x21-\x7e]{16,255}$/;
const header = 'idempotency-key';
const replayedHeader = 'idempotent-replayed';
const keptHeaders = ['content-type', 'location'] as const;

interface Claim {
  principal: string;
  keyId: string;
  macKey: Buffer;
  encryptionKey: Buffer;
  fingerprint: string;
  /** This request inserted the row and must complete or release it. */
  owned: boolean;
  /**
   * A streamed multipart body cannot be read by a hook without taking it from the handler: the handler reads it and
   * then claims the key with a digest of what it read (`claimIdempotency`).
   */
  deferred: boolean;
}

interface StoredAnswer {
  headers: Partial<Record<(typeof keptHeaders)[number], string>>;
  body: string;
}

interface SealedAnswer {
  iv: string;
  tag: string;
  data: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: Claim | null;
  }
  interface FastifyInstance {
    /**
     * For a route whose body is a multipart stream: once the handler has read the body, claims the Idempotency-Key
     * with a digest of it (the same key with another file is then a 422). True when the stored answer of an earlier
     * request was sent instead, and the handler must do nothing more.
     */
    claimIdempotency(request: FastifyRequest, reply: FastifyReply, bodyDigest: string): Promise<boolean>;
  }
}

const invalidKey = () =>
  new HttpProblem(
    400,
    'Idempotency-Key harus 16–255 karakter ASCII yang terlihat / Idempotency-Key must be 16–255 visible ASCII characters',
    {
      errors: [{ path: `headers.${header}`, message: 'format tidak valid / invalid format' }],
    },
  );

function principalOfClaim(request: FastifyRequest): string {
  const principal = request.principal;
  if (principal?.userId) return `user:${principal.userId}`;
  if (principal) return 'environment-admin';
  return `anonymous:${request.ip}`;
}

function deriveClaim(key: string, principal: string): Claim {
  const bytes = Buffer.from(hkdfSync('sha256', key, principal, 'pendamping idempotency v1', 96));
  return {
    principal,
    keyId: bytes.subarray(0, 32).toString('hex'),
    macKey: bytes.subarray(32, 64),
    encryptionKey: bytes.subarray(64, 96),
    fingerprint: '',
    owned: false,
    deferred: false,
  };
}

/** JSON with sorted keys, so the same body written in another key order is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? '';
}

function seal(answer: StoredAnswer, claim: Claim): SealedAnswer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', claim.encryptionKey, iv);
  cipher.setAAD(Buffer.from(`${claim.principal}\n${claim.keyId}`));
  const data = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function unseal(sealed: SealedAnswer, claim: Claim): StoredAnswer {
  const decipher = createDecipheriv('aes-256-gcm', claim.encryptionKey, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(`${claim.principal}\n${claim.keyId}`));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  const clear = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
  return JSON.parse(clear.toString('utf8')) as StoredAnswer;
}

export default fp(
  async (app) => {
    app.decorateRequest('idempotency', null);
    const rowOf = (claim: Claim) =>
      and(eq(idempotencyKeys.principal, claim.principal), eq(idempotencyKeys.key, claim.keyId));

    // These hooks are the mutating routes' own (onRoute below): a read, the hot path, passes none of them. They take a
    // callback, not a promise: most writes send no key and have nothing to do here, and a promise per hook shows in
    // the cost of a one-by-one enrolment.

    // Early, so a malformed key is refused before the body is read.
    function readKey(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) {
      const given = request.headers[header];
      if (given === undefined || !mutatingMethods.has(request.method)) {
        done();
        return;
      }
      if (typeof given !== 'string' || !keyFormat.test(given)) {
        done(invalidKey());
        return;
      }
      request.idempotency = deriveClaim(given, principalOfClaim(request));
      done();
    }

    // The body as sent, before validation trims or fills in defaults.
    function fingerprintBody(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) {
      const claim = request.idempotency;
      if (claim) {
        if (/^multipart\//i.test(request.headers['content-type'] ?? '')) {
          claim.deferred = true;
        } else {
          const body = Buffer.isBuffer(request.body) ? request.body.toString('base64') : canonical(request.body);
          claim.fingerprint = createHmac('sha256', claim.macKey)
            .update(`${request.method} ${request.url}\n${body}`)
            .digest('hex');
        }
      }
      done();
    }

    // Last before the handler: after the role check and any route's own preHandlers, so only work that is about to be
    // done holds a claim.
    async function claimOrReplay(request: FastifyRequest, reply: FastifyReply) {
      const claim = request.idempotency;
      if (!claim || claim.deferred) return;
      for (let attempt = 0; attempt < 2; attempt++) {
        const claimed = await app.db
          .insert(idempotencyKeys)
          .values({
            principal: claim.principal,
            key: claim.keyId,
            method: request.method,
            path: request.url,
            requestHash: claim.fingerprint,
          })
          .onConflictDoUpdate({
            target: [idempotencyKeys.principal, idempotencyKeys.key],
            set: {
              method: request.method,
              path: request.url,
              requestHash: claim.fingerprint,
              statusCode: null,
              response: null,
              createdAt: sql`now()`,
            },
            setWhere: sql`(${idempotencyKeys.statusCode} is null and ${idempotencyKeys.createdAt} < now() - interval '5 minutes')
              or ${idempotencyKeys.createdAt} < now() - interval '24 hours'`,
          })
          .returning({ key: idempotencyKeys.key });
        if (claimed.length > 0) {
          claim.owned = true;
          return;
        }
        const [existing] = await app.db.select().from(idempotencyKeys).where(rowOf(claim));
        if (!existing) continue;
        if (existing.requestHash !== claim.fingerprint) {
          throw new HttpProblem(
            422,
            'Idempotency-Key ini sudah dipakai untuk permintaan lain / This Idempotency-Key was already used for a different request',
          );
        }
        if (existing.statusCode === null) break;
        const answer = unseal(existing.response as SealedAnswer, claim);
        reply.code(existing.statusCode).headers({ ...answer.headers, [replayedHeader]: 'true' });
        return reply.send(Buffer.from(answer.body, 'base64'));
      }
      throw new HttpProblem(
        409,
        'Permintaan dengan Idempotency-Key ini masih diproses / A request with this Idempotency-Key is still being processed',
        { type: inProgressType },
      );
    }

    app.decorate('claimIdempotency', async (request: FastifyRequest, reply: FastifyReply, bodyDigest: string) => {
      const claim = request.idempotency;
      if (!claim) return false;
      claim.fingerprint = createHmac('sha256', claim.macKey)
        .update(`${request.method} ${request.url}\n${bodyDigest}`)
        .digest('hex');
      claim.deferred = false;
      await claimOrReplay(request, reply);
      return reply.sent;
    });

    /** claimOrReplay as the route's last preHandler: a request without a key goes on at once, with no promise. */
    function claimHook(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
      const claim = request.idempotency;
      if (!claim || claim.deferred) {
        done();
        return;
      }
      claimOrReplay(request, reply).then(() => done(), done);
    }

    function keepAnswer(
      request: FastifyRequest,
      reply: FastifyReply,
      payload: unknown,
      done: (err: Error | null, payload?: unknown) => void,
    ) {
      const claim = request.idempotency;
      if (!claim?.owned) {
        done(null, payload);
        return;
      }
      storeOrRelease(request, reply, claim, payload).then(() => done(null, payload), done);
    }

    // Each goes before the route's own hooks of its kind, where it ran when it was the whole app's; claimHook last.
    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = [route.method].flat();
      if (route.url.startsWith('/api/v1/') && methods.some((m) => mutatingMethods.has(m))) {
        route.onRequest = [readKey, ...asHooks(route.onRequest)] as RouteOptions['onRequest'];
        route.preValidation = [fingerprintBody, ...asHooks(route.preValidation)] as RouteOptions['preValidation'];
        route.preHandler = [...asHooks(route.preHandler), claimHook] as RouteOptions['preHandler'];
        route.onSend = [keepAnswer, ...asHooks(route.onSend)] as RouteOptions['onSend'];
      }
    });

    async function storeOrRelease(request: FastifyRequest, reply: FastifyReply, claim: Claim, payload: unknown) {
      claim.owned = false;
      const storable =
        payload === null || payload === undefined || typeof payload === 'string' || Buffer.isBuffer(payload);
      if (reply.statusCode >= 200 && reply.statusCode < 300 && storable) {
        const headers: StoredAnswer['headers'] = {};
        for (const name of keptHeaders) {
          const value = reply.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        const body = Buffer.from(payload ?? '').toString('base64');
        await app.db
          .update(idempotencyKeys)
          .set({ statusCode: reply.statusCode, response: seal({ headers, body }, claim) })
          .where(and(rowOf(claim), isNull(idempotencyKeys.statusCode)));
      } else {
        await app.db
          .delete(idempotencyKeys)
          .where(
            and(rowOf(claim), isNull(idempotencyKeys.statusCode), eq(idempotencyKeys.requestHash, claim.fingerprint)),
          );
      }
    }
  },
  { name: 'idempotency', dependencies: ['auth', 'database'] },
);
