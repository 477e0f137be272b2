import type { Client } from '@temporalio/client';
import { buildApp, type App } from '../../api/app.js';
import type { Database } from '../../db/client.js';

export const testAdminToken = 'test-admin-token-0123456789abcdef';

export function buildTestApp(deps: { database: Database; temporal: Client; taskQueue?: string }): Promise<App> {
  return buildApp({
    config: {
      LOG_LEVEL: 'silent',
      TEMPORAL_TASK_QUEUE: deps.taskQueue ?? 'pendamping-test',
      PENDAMPING_ADMIN_TOKEN: testAdminToken,
      CORS_ORIGINS: undefined,
    },
    database: deps.database,
    temporal: deps.temporal,
    logger: false,
  });
}
