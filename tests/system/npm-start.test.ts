// `npm start` itself, as a user runs it: a child process with its own data folder and ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPortFree, freePort, steadyPort } from '../../infra/ports.js';

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  const child = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a signal reaches npm and everything under it, as Ctrl-C in a terminal does.
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  // 'close' waits until every process holding the output pipes (npm, tsx, node, the Temporal server) has gone.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Resolves when the process prints `text`, rejects if it exits first. */
function whenPrinted(s: Started, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (s.output().includes(text)) resolve();
    };
    onData();
    s.child.stdout!.on('data', onData);
    s.exited.then((code) =>
      s.output().includes(text) ? resolve() : reject(new Error(`exited with ${code} before "${text}":\n${s.output()}`)),
    );
  });
}

const whenReady = (s: Started) => whenPrinted(s, 'ready. Ctrl-C');

/** SIGTERM to the whole group; resolves once our process has said it stopped everything and npm has exited. */
async function stopAndWait(s: Started): Promise<void> {
  process.kill(-s.child.pid!, 'SIGTERM');
  await whenPrinted(s, 'stopped.');
  await s.exited;
}

const adminToken = 'npm-start-test-admin-token-0123456789';
const auth = { authorization: `Bearer ${adminToken}` };

describe('npm start', () => {
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pendamping-start-'));
    chmodSync(dataDir, 0o755);
    const ports: number[] = [];
    while (ports.length < 4) {
      const port = await steadyPort();
      if (!ports.includes(port)) ports.push(port);
    }
    const [port, pgPort, temporalPort, uiPort] = ports;
    env = {
      DATA_DIR: dataDir,
      PORT: String(port),
      PG_PORT: String(pgPort),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      LOG_LEVEL: 'warn',
      PENDAMPING_ADMIN_TOKEN: adminToken,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
    };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts everything, is ready, keeps data across restarts, and stops cleanly on SIGTERM', async () => {
    const base = `http://127.0.0.1:${env.PORT}`;
    const first = start(env);
    await whenReady(first);
    expect(first.output()).toContain(`${base}/docs`);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // An empty database gets demo accounts, one per role, whose printed tokens work.
    for (const role of ['admin', 'manager', 'officer', 'business']) {
      const token = new RegExp(`\\[pendamping\\]\\s+${role}\\s+\\S+\\s+password: \\S+\\s+token: (\\S+)`).exec(
        first.output(),
      )?.[1];
      expect(token, role).toBeDefined();
      const me = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await me.json()) as { user: { role: string } }).user.role).toBe(role);
    }
    // The demo office is lived in: cases at several steps, one overdue, one waitlisted, and the officer's queue shows them.
    const officerToken = /\[pendamping\]\s+officer\s+\S+\s+password: \S+\s+token: (\S+)/.exec(first.output())![1]!;
    const officer = { authorization: `Bearer ${officerToken}` };
    const count = async (query: string) =>
      ((await (await fetch(`${base}/api/v1/enrolments?${query}`, { headers: officer })).json()) as { items: unknown[] })
        .items.length;
    expect(await count('status=active')).toBeGreaterThanOrEqual(6);
    expect(await count('overdue=true')).toBe(1);
    expect(await count('status=waitlisted')).toBe(1);
    const queue = await fetch(`${base}/`, { headers: { cookie: `pdp_session=${officerToken}` } });
    expect(await queue.text()).toContain('Terlambat');
    const created = await fetch(`${base}/api/v1/offices`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Dinas Perindustrian Kota Samarinda',
        level: 'kota',
        regionCode: '6472',
        timeZone: 'Asia/Makassar',
      }),
    });
    expect(created.status).toBe(201);
    await stopAndWait(first);
    expect(first.output()).not.toMatch(/could not stop/);
    // No orphan: every port it opened is free again.
    for (const port of [env.PORT, env.PG_PORT, env.TEMPORAL_PORT, env.TEMPORAL_UI_PORT]) {
      await expect(assertPortFree(Number(port), 'test')).resolves.toBeUndefined();
    }

    const second = start(env);
    await whenReady(second);
    expect(second.output()).not.toContain('demo accounts');
    const offices = (await (await fetch(`${base}/api/v1/offices`, { headers: auth })).json()) as {
      items: { name: string }[];
    };
    expect(offices.items.map((o) => o.name)).toContain('Dinas Perindustrian Kota Samarinda');
    await stopAndWait(second);
  }, 120_000);

  it('is durable, and after a SIGKILL starts again by itself with the data intact', async () => {
    const base = `http://127.0.0.1:${env.PORT}`;
    const first = start(env);
    await whenReady(first);
    const sql = postgres(`postgres://postgres:pendamping@127.0.0.1:${env.PG_PORT}/postgres`, { max: 1 });
    try {
      const [settings] = await sql<{ fsync: string; synchronous_commit: string; full_page_writes: string }[]>`
        select current_setting('fsync') as fsync, current_setting('synchronous_commit') as synchronous_commit,
               current_setting('full_page_writes') as full_page_writes`;
      expect(settings).toEqual({ fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' });
    } finally {
      await sql.end();
    }
    const created = await fetch(`${base}/api/v1/offices`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Dinas Perindustrian Kabupaten Kutai Kartanegara',
        level: 'kabupaten',
        regionCode: '6402',
        timeZone: 'Asia/Makassar',
      }),
    });
    expect(created.status).toBe(201);

    // A second start on the same folder while this one lives takes nothing of it for leftovers: it refuses.
    const intruder = start({ ...env, PORT: String(await freePort()) });
    expect(await intruder.exited).toBe(1);
    expect(intruder.output()).toMatch(/is in use by another pendamping \(pid \d+\)/);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // As the OOM killer does: only our node process dies, at once. Its Postgres and Temporal server live on.
    const pid = Number(readFileSync(join(dataDir, 'pendamping.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await expect(assertPortFree(Number(env.PG_PORT), 'test')).rejects.toThrow(/in use/);
    await expect(assertPortFree(Number(env.TEMPORAL_PORT), 'test')).rejects.toThrow(/in use/);

    const second = start(env);
    await whenReady(second);
    expect(second.output()).toMatch(/stopping the Postgres left running/);
    expect(second.output()).toMatch(/stopping the Temporal dev server left running/);
    const offices = (await (await fetch(`${base}/api/v1/offices`, { headers: auth })).json()) as {
      items: { name: string }[];
    };
    expect(offices.items.map((o) => o.name)).toContain('Dinas Perindustrian Kabupaten Kutai Kartanegara');
    await stopAndWait(second);
    for (const port of [env.PORT, env.PG_PORT, env.TEMPORAL_PORT, env.TEMPORAL_UI_PORT]) {
      await expect(assertPortFree(Number(port), 'test')).resolves.toBeUndefined();
    }
  }, 180_000);

  it('says clearly that a port is in use, and leaves nothing running', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(env.TEMPORAL_PORT), '127.0.0.1', resolve));
    try {
      const s = start(env);
      expect(await s.exited).toBe(1);
      expect(s.output()).toMatch(/Port \d+ for Temporal \(TEMPORAL_PORT\) is already in use/);
      expect(s.output()).not.toMatch(/\n\s+at /);
      await expect(assertPortFree(Number(env.PG_PORT), 'test')).resolves.toBeUndefined();
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('refuses a bad configuration value with a message naming it', async () => {
    const s = start({ ...env, PORT: 'eighty' });
    expect(await s.exited).toBe(1);
    expect(s.output()).toMatch(/Invalid configuration:\n\s+PORT:/);
  });
});
