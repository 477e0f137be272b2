// Where document files live, behind one interface: a folder on disk (the embedded default, under DATA_DIR) or an
// S3-compatible bucket (production). The database row that names a file is committed only after `put` returns, so a
// key the database does not know is an orphan: a crashed or failed upload's leftover, which `sweepOrphans` removes.
import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  /** When it was written, so a sweep spares files whose row may still be committing. */
  modifiedAt: Date;
}

export interface DocumentStore {
  /** What the store is, for the log: `folder /path` or `s3 bucket`. */
  readonly description: string;
  /** Writes the whole body under `key`; on failure nothing is left under the key. */
  put(key: string, body: Readable, sizeBytes: number): Promise<void>;
  /** The file's bytes as a stream; a missing key rejects. */
  get(key: string): Promise<Readable>;
  /** Removes the key; a missing one is not an error. */
  delete(key: string): Promise<void>;
  list(): AsyncIterable<StoredObject>;
}

/**
 * Removes files that no database row names and that are older than `graceMs`: the grace covers an upload whose file
 * is written and whose row is still being committed. `known` answers which of a batch of keys the database names.
 */
export async function sweepOrphans(
  store: DocumentStore,
  known: (keys: string[]) => Promise<Set<string>>,
  { graceMs = 60 * 60 * 1000, now = Date.now() }: { graceMs?: number; now?: number } = {},
): Promise<string[]> {
  const removed: string[] = [];
  let batch: string[] = [];
  const flush = async () => {
    const named = await known(batch);
    for (const key of batch) {
      if (named.has(key)) continue;
      await store.delete(key);
      removed.push(key);
    }
    batch = [];
  };
  for await (const object of store.list()) {
    if (now - object.modifiedAt.getTime() < graceMs) continue;
    batch.push(object.key);
    if (batch.length >= 500) await flush();
  }
  if (batch.length > 0) await flush();
  return removed;
}
