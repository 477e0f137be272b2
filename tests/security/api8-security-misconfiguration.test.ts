// OWASP API8:2023 Security Misconfiguration: security headers on every answer, no framework fingerprint, no stack
// trace even from a crashing handler, CORS closed to origins not configured, the API description reachable.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../api/app.js';
import { folderStore } from '../../services/documents/folder-store.js';
import { testAdminToken } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createTimeSkippingEnv } from '../helpers/temporal.js';
import { expectProblem, stackTrace } from './support.js';

const allowedOrigin = 'https://disperin.kalselprov.go.id';

describe('API8 security misconfiguration', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let app: App;
  const admin = { authorization: `Bearer ${testAdminToken}` };

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createTimeSkippingEnv()]);
    app = await buildApp({
      config: {
        LOG_LEVEL: 'silent',
        TEMPORAL_TASK_QUEUE: 'pendamping-test',
        PENDAMPING_ADMIN_TOKEN: testAdminToken,
        CORS_ORIGINS: `${allowedOrigin}, https://dashboard.example.id`,
      },
      database,
      temporal: env.client,
      documentStore: folderStore(mkdtempSync(join(tmpdir(), 'pendamping-documents-'))),
      logger: false,
    });
    // A handler that fails the way a bug would: with an internal message and a stack.
    app.get('/api/v1/test-crash', async () => {
      throw new Error('connection to 10.0.0.7:5432 refused; password authentication failed for user "pendamping"');
    });
  });
  afterAll(async () => {
    await app.close();
    await Promise.all([database.drop(), env.teardown()]);
  });

  it.each(['/api/v1/offices', '/api/v1/no-such-route', '/docs', '/healthz'])(
    'sends the security headers and no fingerprint on %s',
    async (url) => {
      const res = await app.inject({ method: 'GET', url, headers: admin });
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringMatching(/max-age=\d+/),
        'content-security-policy': expect.stringContaining("default-src 'self'"),
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'x-request-id': expect.any(String),
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers.server).toBeUndefined();
    },
  );

  it('answers a crashing handler with a plain 500 problem, keeping the cause in the log', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/test-crash' });
    const problem = expectProblem(res, 500);
    expect(res.body).not.toMatch(/10\.0\.0\.7|password|pendamping"|Error:/);
    expect(problem.detail).toBe('Terjadi kesalahan pada server / Something went wrong on our side');
  });

  it('answers unknown routes, methods and malformed requests with problems that echo no internals', async () => {
    expectProblem(await app.inject({ method: 'GET', url: '/api/v1/../../etc/passwd', headers: admin }), 404);
    expectProblem(await app.inject({ method: 'PUT', url: '/api/v1/offices', headers: admin, payload: {} }), 404);
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/v1/offices',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"name": "x",',
    });
    expect(expectProblem(malformed, 400).detail).not.toMatch(stackTrace);
    expectProblem(
      await app.inject({
        method: 'POST',
        url: '/api/v1/offices',
        headers: { ...admin, 'content-type': 'application/xml' },
        payload: '<office/>',
      }),
      415,
    );
  });

  it('allows the configured origins and no other', async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/api/v1/offices',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      });
    const allowed = await preflight(allowedOrigin);
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(allowedOrigin);
    expect(String(allowed.headers['access-control-allow-headers'])).toMatch(/idempotency-key/i);

    for (const origin of [
      'https://evil.example.com',
      'https://disperin.kalselprov.go.id.evil.example.com',
      'null',
      'http://disperin.kalselprov.go.id',
    ]) {
      const denied = await preflight(origin);
      expect(denied.headers['access-control-allow-origin'], origin).toBeUndefined();
      const simple = await app.inject({ method: 'GET', url: '/api/v1/offices', headers: { ...admin, origin } });
      expect(simple.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(simple.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  it('serves the API description, with bearer authentication declared', async () => {
    const page = await app.inject('/docs');
    expect([200, 302]).toContain(page.statusCode);
    const ui = page.statusCode === 302 ? await app.inject(String(page.headers.location)) : page;
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    const doc = (await app.inject('/docs/json')).json();
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
  });
});
