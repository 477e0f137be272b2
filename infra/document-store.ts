// The document store the configuration asks for: an S3-compatible bucket when S3_BUCKET is set, else a folder under
// DATA_DIR (the embedded default, like the database and Temporal's history).
import { join } from 'node:path';
import { folderStore } from '../services/documents/folder-store.js';
import { s3Store } from '../services/documents/s3-store.js';
import type { DocumentStore } from '../services/documents/store.js';
import type { Config } from './config.js';

export function documentStoreFrom(config: Config): DocumentStore {
  if (!config.S3_BUCKET) return folderStore(join(config.DATA_DIR, 'documents'));
  return s3Store({
    bucket: config.S3_BUCKET,
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    credentials:
      config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
        : undefined,
  });
}
