// The API's request log: one JSON line per request with what an operator needs (method, URL, status, time, request
// id), written when the answer is sent, and never the token of an invitation link.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../api/app.js';
import { apiLoggerOptions } from '../../api/request-log.js';
import { testAdminToken, testDocumentStore } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

describe('request log', () => {
  let database: TestDatabase;
  let app: App;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(
          ...chunk
            .toString()
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        );
        done();
      },
    });
    app = await buildApp({
      config: {
        LOG_LEVEL: 'info',
        TEMPORAL_TASK_QUEUE: 'request-log-test',
        PENDAMPING_ADMIN_TOKEN: testAdminToken,
        CORS_ORIGINS: undefined,
      },
      database,
      temporal: null as never,
      documentStore: testDocumentStore(),
      // The options `npm start` uses, with the lines caught here instead of on stdout.
      logger: { ...(apiLoggerOptions('info') as object), stream },
    });
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  const requestLines = () => lines.filter((l) => l.msg === 'request');

  it('writes one line per request, with method, URL, status, time and the request id answered', async () => {
    const before = requestLines().length;
    const res = await app.inject({
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${testAdminToken}`, 'x-request-id': 'uji-log-1' },
    });
    expect(res.statusCode).toBe(200);
    const mine = requestLines().slice(before);
    expect(mine).toEqual([
      expect.objectContaining({ reqId: 'uji-log-1', method: 'GET', url: '/api/v1/auth/me', statusCode: 200 }),
    ]);
    expect(mine[0]!.ms).toEqual(expect.any(Number));
    expect(res.headers['x-request-id']).toBe('uji-log-1');
    // Fastify's own "incoming request" and "request completed" lines are not written.
    expect(lines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toEqual([]);
  });

  it('logs an invitation link as its route, without the token', async () => {
    const token = 'rahasia-undangan-0123456789abcdef';
    await app.inject({ url: `/invite/${token}`, headers: { 'x-request-id': 'uji-log-2' } });
    const line = requestLines().find((l) => l.reqId === 'uji-log-2');
    expect(line).toMatchObject({ method: 'GET', url: '/invite/:token' });
    expect(JSON.stringify(lines)).not.toContain(token);
  });
});
