// Serves the hot reads from infra/read-cache.ts. A route opts in with `config: { readCache: 'shared' | 'scoped' }`
// and its handler says, by calling cacheAnswer/cacheListAnswer, that its answer may be kept and what it shows. The
// check runs after authentication and the route's role check, before validation: a URL whose answer is stored was
// valid when it was stored. A 'shared' answer (one enrolment) is the same for everyone who may see it, and the scope
// is checked on every hit, as the service would (another office's officer falls through to the service's 404); a
// 'scoped' answer (a list) is keyed by the caller's scope as well as the URL.
//
// The answers of these routes, hit or miss, go gzipped to a client whose Accept-Encoding allows it (every browser,
// mobile HTTP stack and HTTP library sends `gzip`), with the bytes the cache compressed once when it stored them.
// Every answer of such a route says `vary: accept-encoding`, so no shared cache hands one client's encoding to another.
import { negotiate } from '@fastify/accept-negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  anyChangeTag,
  startReadCache,
  type FillTicket,
  type ReadCache,
  type StoredBytes,
  type Visibility,
} from '../../infra/read-cache.js';
import { assertBusinessScope, type Principal } from '../../services/principal.js';

interface Answer {
  tags: string[];
  visibility: Visibility | null;
  expiresAt: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    readCache?: 'shared' | 'scoped';
  }
  interface FastifyInstance {
    /** null when the cache is switched off (READ_CACHE_MB=0). */
    readCache: ReadCache | null;
  }
  interface FastifyRequest {
    readCacheTicket: FillTicket | null;
    readCacheAnswer: Answer | null;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const contentType = 'application/json; charset=utf-8';
/**
 * `identity` first: the negotiator gives `*` the first value, so `gzip;q=0, *` and a bare `*` get the plain bytes, and
 * `identity, gzip;q=0.5` is honoured; a client listing gzip at a quality above identity's (or without it) gets gzip.
 */
const encodings = ['identity', 'gzip'];

/** The bytes this client accepts: gzipped when it asks for gzip and the answer has them, else plain. */
function bytesFor(request: FastifyRequest, reply: FastifyReply, bytes: StoredBytes): Buffer {
  const accepted = request.headers['accept-encoding'];
  if (bytes.gzip && accepted && negotiate(accepted, encodings) === 'gzip') {
    reply.header('content-encoding', 'gzip');
    return bytes.gzip;
  }
  return bytes.payload;
}

function varyOnEncoding(reply: FastifyReply) {
  const vary = reply.getHeader('vary');
  reply.header('vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
}

/** What a list shows depends on who asks: their office, their business, or everything. */
function scopeOf(principal: Principal): { key: string; tags: string[] } {
  if (principal.role === 'admin') return { key: 'admin', tags: [anyChangeTag] };
  if (principal.role === 'business') return { key: `b:${principal.businessId}`, tags: [`b:${principal.businessId}`] };
  return { key: `o:${principal.officeId}`, tags: [`o:${principal.officeId}`] };
}

function maySee(principal: Principal, visibility: Visibility): boolean {
  try {
    assertBusinessScope(principal, { id: visibility.businessId, officeId: visibility.officeId }, '');
    return true;
  } catch {
    return false;
  }
}

/** The handler's answer may be kept: it shows what `tags` name, and stays true until `expiresAt` by itself. */
export function cacheAnswer(request: FastifyRequest, answer: Answer): void {
  if (request.readCacheTicket) request.readCacheAnswer = answer;
}

/** A list's answer may be kept: it changes with anything in the caller's scope. */
export function cacheListAnswer(request: FastifyRequest): void {
  if (request.readCacheTicket && request.principal) {
    cacheAnswer(request, { tags: scopeOf(request.principal).tags, visibility: null, expiresAt: Infinity });
  }
}

export default fp<{ maxMb: number }>(
  async (app, { maxMb }) => {
    app.decorateRequest('readCacheTicket', null);
    app.decorateRequest('readCacheAnswer', null);
    if (maxMb <= 0) {
      app.decorate('readCache', null);
      return;
    }
    const cache = await startReadCache(app.database, {
      maxBytes: maxMb * 1024 * 1024,
      log: (message) => app.log.warn(message),
    });
    app.decorate('readCache', cache);
    app.addHook('onClose', () => cache.close());

    // A callback hook, as Fastify allows a hook that may answer: a hit is sent from here (and `done` never called),
    // with no promise made for it.
    app.addHook('preValidation', (request, reply, done) => {
      const kind = request.routeOptions.config.readCache;
      if (!kind || request.method !== 'GET' || !request.principal || !cache.listening) return done();
      const key = kind === 'scoped' ? `${scopeOf(request.principal).key} ${request.url}` : request.url;
      const hit = cache.get(key);
      if (hit && (!hit.visibility || maySee(request.principal, hit.visibility))) {
        reply.header('content-type', contentType);
        reply.send(bytesFor(request, reply, hit));
        return;
      }
      if (!hit) request.readCacheTicket = cache.ticket(key);
      done();
    });

    // A callback hook: most answers (every hit) have nothing to do here, and pay no promise for it.
    app.addHook('onSend', (request, reply, payload, done) => {
      if (request.routeOptions.config.readCache) varyOnEncoding(reply);
      const ticket = request.readCacheTicket;
      const answer = request.readCacheAnswer;
      if (ticket && answer && reply.statusCode === 200 && typeof payload === 'string') {
        cache
          .store(ticket, { payload: Buffer.from(payload), ...answer })
          .then((bytes) => done(null, bytesFor(request, reply, bytes)), done);
      } else if (!safeMethods.has(request.method)) {
        // The writer's next read must not find the answer this write just made stale.
        cache.barrier().then(() => done(null, payload), done);
      } else {
        done(null, payload);
      }
    });
  },
  { name: 'read-cache', dependencies: ['database', 'auth'] },
);
