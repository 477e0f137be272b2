// The texts in use: the defaults, with whatever administrators and managers replaced. Every event renders a text, and
// the intake records one per enrolment, so the replacements are kept for a few seconds per process rather than read
// each time; a change through this process is seen at once, through another within `cacheMs`.
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.js';
import { notificationTexts } from '../../db/schema.js';
import { defaultTexts, type Language, type TextKind, type Texts } from './texts.js';

const cacheMs = 5_000;
type Overrides = Map<string, { title: string; body: string }>;
/**
 * The read itself is kept, so the requests that find the entry stale at the same moment share one query; but a
 * transaction never waits for a read running elsewhere. A read on the pool may be queued for a free connection, and
 * transactions holding every connection while they wait for it would wait for ever (the intake's waitlist path records
 * its notice inside its transaction): a transaction that finds the read still running reads on its own connection.
 */
let cache: { at: number; overrides: Promise<Overrides>; via: DbOrTx; settled: boolean } | null = null;

export function forgetTexts(): void {
  cache = null;
}

const readOverrides = (db: DbOrTx): Promise<Overrides> =>
  db
    .select()
    .from(notificationTexts)
    .then((rows) => new Map(rows.map((r) => [`${r.kind}:${r.language}`, { title: r.title, body: r.body }])));

function overrides(db: DbOrTx): Promise<Overrides> {
  if (cache && Date.now() - cache.at < cacheMs) {
    if (cache.settled || cache.via === db || !(db instanceof PgTransaction)) return cache.overrides;
    return readOverrides(db);
  }
  const read = readOverrides(db);
  const entry = { at: Date.now(), overrides: read, via: db, settled: false };
  cache = entry;
  // A failed read is not kept: the next caller reads again. A read forgotten meanwhile (forgetTexts) is not kept either.
  read.then(
    () => {
      entry.settled = true;
    },
    () => {
      if (cache === entry) cache = null;
    },
  );
  return read;
}

/** A kind's texts in both languages, and which of them are the defaults. */
export async function textsOf(db: DbOrTx, kind: TextKind): Promise<Texts & { custom: Record<Language, boolean> }> {
  const map = await overrides(db);
  const id = map.get(`${kind}:id`);
  const en = map.get(`${kind}:en`);
  return {
    id: id ?? defaultTexts[kind].id,
    en: en ?? defaultTexts[kind].en,
    custom: { id: id !== undefined, en: en !== undefined },
  };
}
