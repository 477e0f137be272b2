// A read-through cache of serialised answers, kept in the API process and correct by construction: Postgres tells it
// what changed. Triggers on the tables the cached answers are built from (migration 0015) NOTIFY `pendamping_reads`
// with tags naming the enrolment (`e:`), business (`b:`) and office (`o:`) a change touched, at commit and in commit
// order; an answer is stored with the tags of what it shows and dropped when one of them arrives.
//
// Three rules keep a stale answer out:
// - A fill that raced a change is not stored: every drop bumps a sequence number and records it against the tags it
//   dropped; a fill remembers the number from before its query and stores only if none of its tags was dropped since.
// - Without the LISTEN connection nothing is served or stored: when it drops, everything is cleared, and fills started
//   before it listens again are refused (a change in between was never announced).
// - A write through this process waits, before its answer is sent, for a barrier: a NOTIFY of a nonce sent after the
//   write committed, so it arrives after the write's own notifications. The writer's next read cannot see the old answer.
//
// An answer is kept gzipped as well, compressed once when it is stored, so a hit costs a client that accepts gzip no
// compression and sends it an eighth of the bytes (a list of 50: 21 KB plain, about 3 KB gzipped).
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { keepListening, type Database } from '../db/client.js';
import { coalesced } from '../db/coalesce.js';

export const readCacheChannel = 'pendamping_reads';
const everything = '*';
const barrierPrefix = 'barrier:';
/** A tag every change drops: answers across all offices (an administrator's lists). */
export const anyChangeTag = 'any';
/** How long a barrier waits for its own notification before it gives up on the connection and clears everything. */
const barrierTimeoutMs = 5_000;
/** Bounds the record of recent drops; past it the record is cleared and fills in flight are refused instead. */
const droppedTagsLimit = 100_000;
/**
 * Below this an answer is kept plain only: gzip's header and a small JSON's few repeats save a few hundred bytes at
 * most (the threshold @fastify/compress uses by default).
 */
export const gzipAboveBytes = 1024;
const gzipped = promisify(gzip);

/** Who may be served a cached answer: the same rule as the services' scope checks (services/principal.ts). */
export interface Visibility {
  officeId: string;
  businessId: string;
}

/** An answer's bytes, as they are sent: plain, and gzipped when that is worth it. */
export interface StoredBytes {
  payload: Buffer;
  /** null for an answer below `gzipAboveBytes`, or one that gzip does not make smaller. */
  gzip: Buffer | null;
}

interface Entry extends StoredBytes {
  tags: string[];
  /** Checked on every hit; null for answers whose key already holds the caller's scope (lists). */
  visibility: Visibility | null;
  /** Date.now() after which the answer is no longer true by itself (a step falls overdue); Infinity if never. */
  expiresAt: number;
}

export interface FillTicket {
  key: string;
  seq: number;
}

export interface ReadCacheOptions {
  /** Bound on the stored payloads' total size in bytes; the least recently used go first. */
  maxBytes: number;
  /** Told when the LISTEN connection drops or comes back, and of notifications it cannot read. */
  log?: (message: string) => void;
}

export interface ReadCache {
  /** True while LISTEN holds: only then does the cache serve or store. */
  readonly listening: boolean;
  /** A stored answer, or null; the caller checks `visibility` against the principal. */
  get(key: string): (StoredBytes & { visibility: Visibility | null }) | null;
  /** Taken before the query of a miss; `store` refuses the answer if anything it shows changed since. */
  ticket(key: string): FillTicket;
  /** Gzips the answer (on libuv's threads), then keeps both unless the ticket is stale; gives the bytes either way. */
  store(
    ticket: FillTicket,
    answer: { payload: Buffer; tags: string[]; visibility: Visibility | null; expiresAt: number },
  ): Promise<StoredBytes & { stored: boolean }>;
  /** Resolves once every change committed before the call has been applied to this cache. */
  barrier(): Promise<void>;
  /** For tests: runs once between a fill's query and its store, to make a race with a change deterministic. */
  beforeStore: (() => Promise<void>) | null;
  /**
   * For tests: notifications arriving from now on wait in `held`, in order, until `release`, as they would behind a
   * slow connection.
   */
  holdNotifications(): { held: readonly string[]; release(): void };
  stats(): { entries: number; bytes: number };
  close(): Promise<void>;
}

export async function startReadCache(database: Database, options: ReadCacheOptions): Promise<ReadCache> {
  const entries = new Map<string, Entry>();
  const keysByTag = new Map<string, Set<string>>();
  const droppedAt = new Map<string, number>();
  let bytes = 0;
  let seq = 0;
  /** Fills whose ticket is older than this are refused: the cache was cleared (or its drop record) after they began. */
  let clearedAt = 0;
  const barriers = new Map<string, () => void>();
  const log = options.log ?? (() => {});

  function remove(key: string) {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= sizeOf(entry);
    for (const tag of entry.tags) {
      const keys = keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) keysByTag.delete(tag);
    }
  }

  const sizeOf = (entry: StoredBytes) => entry.payload.length + (entry.gzip?.length ?? 0);

  function clear() {
    entries.clear();
    keysByTag.clear();
    droppedAt.clear();
    bytes = 0;
    clearedAt = ++seq;
  }

  function drop(tags: string[]) {
    seq++;
    if (droppedAt.size + tags.length > droppedTagsLimit) {
      clear();
      return;
    }
    for (const tag of tags) {
      droppedAt.set(tag, seq);
      for (const key of keysByTag.get(tag) ?? []) remove(key);
    }
  }

  let held: string[] | null = null;

  function apply(payload: string) {
    if (payload.startsWith(barrierPrefix)) {
      barriers.get(payload.slice(barrierPrefix.length))?.();
      return;
    }
    if (payload === everything) clear();
    else drop([...payload.split(' ').filter((t) => t !== ''), anyChangeTag]);
  }

  function releaseBarriers() {
    for (const release of barriers.values()) release();
  }

  async function sendBarrier() {
    if (!kept.listening) return;
    const nonce = randomUUID();
    const arrived = new Promise<void>((resolve) => barriers.set(nonce, resolve));
    const timeout = setTimeout(() => {
      log('read cache: a barrier timed out; cleared');
      clear();
      barriers.get(nonce)?.();
    }, barrierTimeoutMs);
    try {
      await connection`select pg_notify(${readCacheChannel}, ${barrierPrefix + nonce})`;
      await arrived;
    } catch {
      // The connection dropped: its close cleared everything, which is what the barrier waits for.
    } finally {
      clearTimeout(timeout);
      barriers.delete(nonce);
    }
  }

  /**
   * Writers waiting for a barrier share one: while a barrier's NOTIFY is out, every writer that asks meanwhile waits for
   * the next one, sent after all of them asked (so after each one's commit), and one round trip serves them all.
   */
  const sharedBarrier = coalesced<void>(() => sendBarrier());

  const kept = await keepListening(database, readCacheChannel, {
    onnotify: (payload) => {
      if (held) held.push(payload);
      else apply(payload);
    },
    // A change committed while nobody listened was never announced: refuse every fill that began before now.
    onListening: clear,
    onDropped: (wasListening) => {
      if (wasListening) log('read cache: LISTEN connection dropped; serving uncached until it listens again');
      clear();
      // Nothing is cached now, so a write waiting for its barrier has nothing left to wait for.
      releaseBarriers();
    },
    onRefused: (err) =>
      log(`read cache: cannot LISTEN (${err instanceof Error ? err.message : String(err)}); retrying`),
  });
  const connection = kept.sql;

  const cache: ReadCache = {
    get listening() {
      return kept.listening;
    },
    beforeStore: null,
    get(key) {
      if (!kept.listening) return null;
      const entry = entries.get(key);
      if (!entry) return null;
      if (entry.expiresAt <= Date.now()) {
        remove(key);
        return null;
      }
      // Least recently used goes first: a hit moves the entry to the end of the insertion order.
      entries.delete(key);
      entries.set(key, entry);
      return entry;
    },
    ticket(key) {
      return { key, seq };
    },
    async store(ticket, answer) {
      const hook = cache.beforeStore;
      if (hook) {
        cache.beforeStore = null;
        await hook();
      }
      const { payload } = answer;
      const compressed = payload.length > gzipAboveBytes ? await gzipped(payload) : null;
      const entry: Entry = {
        payload,
        gzip: compressed && compressed.length < payload.length ? compressed : null,
        tags: answer.tags,
        visibility: answer.visibility,
        expiresAt: answer.expiresAt,
      };
      // From here to the end nothing awaits: a drop cannot arrive between these checks and the entry's insertion.
      const stored =
        kept.listening &&
        ticket.seq >= clearedAt &&
        !answer.tags.some((tag) => (droppedAt.get(tag) ?? 0) > ticket.seq) &&
        sizeOf(entry) <= options.maxBytes;
      if (!stored) return { payload, gzip: entry.gzip, stored };
      remove(ticket.key);
      entries.set(ticket.key, entry);
      bytes += sizeOf(entry);
      for (const tag of answer.tags) {
        let keys = keysByTag.get(tag);
        if (!keys) keysByTag.set(tag, (keys = new Set()));
        keys.add(ticket.key);
      }
      while (bytes > options.maxBytes) remove(entries.keys().next().value!);
      return { payload, gzip: entry.gzip, stored };
    },
    barrier() {
      return kept.listening ? sharedBarrier() : Promise.resolve();
    },
    holdNotifications() {
      const waiting: string[] = [];
      held = waiting;
      return {
        held: waiting,
        release: () => {
          held = null;
          waiting.forEach(apply);
        },
      };
    },
    stats() {
      return { entries: entries.size, bytes };
    },
    async close() {
      releaseBarriers();
      await kept.close();
    },
  };
  return cache;
}
