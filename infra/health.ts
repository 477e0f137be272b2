// Health probes shared by the API's /healthz and /readyz and the worker's own health endpoint: each dependency is
// asked once, with a deadline, so a hung connection answers "not ready" instead of hanging the probe.
import { createServer, type Server } from 'node:http';

const checkTimeoutMs = 2_000;

export interface Dependency {
  ok: boolean;
  error?: string;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function probe(check: () => Promise<unknown> | unknown): Promise<Dependency> {
  try {
    await withTimeout(Promise.resolve().then(check), checkTimeoutMs);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The worker process's health endpoint: `/healthz` answers while the process lives; `/readyz` answers 200 when every
 * check is ok (Postgres, Temporal, the worker polling), else 503 with each check's state. Plain node:http: a worker
 * has no other HTTP to serve.
 */
export async function startHealthServer(options: {
  host: string;
  port: number;
  checks: Record<string, () => Promise<unknown> | unknown>;
}): Promise<{ server: Server; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    const send = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, { status: 'method_not_allowed' });
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path !== '/readyz') return send(404, { status: 'not_found' });
    const names = Object.keys(options.checks);
    void Promise.all(names.map((name) => probe(options.checks[name]!))).then((results) => {
      const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
      const ready = results.every((r) => r.ok);
      send(ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', ...checks });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
