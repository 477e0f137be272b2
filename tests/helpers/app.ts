import type { Client } from '@temporalio/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { folderStore } from '../../services/documents/folder-store.js';
import type { DocumentStore } from '../../services/documents/store.js';

export const testAdminToken = 'test-admin-token-0123456789abcdef';

/** A document folder of the test's own, so test files never see each other's files. */
export const testDocumentStore = (): DocumentStore => folderStore(mkdtempSync(join(tmpdir(), 'pendamping-documents-')));

export function buildTestApp(deps: {
  database: Database;
  temporal: Client;
  taskQueue?: string;
  documentStore?: DocumentStore;
  /** The read cache's size, as READ_CACHE_MB; off when unset (tests that write behind the API's back and read at once). */
  readCacheMb?: number;
}): Promise<App> {
  return buildApp({
    config: {
      LOG_LEVEL: 'silent',
      TEMPORAL_TASK_QUEUE: deps.taskQueue ?? 'pendamping-test',
      PENDAMPING_ADMIN_TOKEN: testAdminToken,
      CORS_ORIGINS: undefined,
      READ_CACHE_MB: deps.readCacheMb,
    },
    database: deps.database,
    temporal: deps.temporal,
    documentStore: deps.documentStore ?? testDocumentStore(),
    logger: false,
  });
}
