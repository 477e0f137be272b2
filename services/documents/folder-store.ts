// Documents in a folder on disk: DATA_DIR/documents by default. A file is written under a temporary name and renamed
// into place once complete, so a failed or interrupted write never leaves a partial file under a real key.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DocumentStore, StoredObject } from './store.js';

const partial = '.part';

export function folderStore(root: string): DocumentStore {
  const pathOf = (key: string) => {
    // Keys are made by the service (uuid paths), never by a client; the check guards against a future mistake.
    if (!/^[a-z0-9][a-z0-9/-]*$/.test(key) || key.includes('//')) throw new Error(`unsafe document key ${key}`);
    return join(root, ...key.split('/'));
  };
  async function* walk(dir: string): AsyncGenerator<StoredObject> {
    const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        yield* walk(path);
        continue;
      }
      const key = relative(root, path).split(sep).join('/');
      // A temporary file counts too: a write that died with its process leaves one.
      yield { key, modifiedAt: (await stat(path)).mtime };
    }
  }
  return {
    description: `folder ${root}`,
    async put(key, body) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}${partial}`;
      try {
        await pipeline(body, createWriteStream(temporary, { flags: 'wx' }));
        await rename(temporary, path);
      } catch (err) {
        await rm(temporary, { force: true });
        throw err;
      }
    },
    async get(key) {
      const path = pathOf(key);
      await stat(path);
      return createReadStream(path);
    },
    async delete(key) {
      await rm(key.endsWith(partial) ? join(root, ...key.split('/')) : pathOf(key), { force: true });
    },
    list: () => walk(root),
  };
}
