// Temporal for development: the CLI dev server with its SQLite file in DATA_DIR, unless TEMPORAL_ADDRESS names a cluster.
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { commandLine, readPid, removePidFile, stopProcess, writePid } from './leftovers.js';
import { assertPortFree } from './ports.js';
import { temporalCli } from './temporal-binaries.js';

export interface TemporalHandle {
  address: string;
  client: Client;
  route: string;
  stop(): Promise<void>;
}

const readyTimeoutMs = 30_000;

/** Where the dev server we spawn records its pid, so the next start can find it if we die without stopping it. */
const pidFile = (dataDir: string) => join(dataDir, 'temporal.pid');

/**
 * A dev server left running by a process that died without stopping it: the pid file names it, and its command line
 * must be a `server start-dev` on this data folder's SQLite file (after a reboot the pid may belong to anything).
 * SIGTERM lets it close the SQLite file cleanly; SIGKILL if it does not within the grace period.
 */
export async function stopLeftoverDevServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pid = readPid(pidFile(dataDir));
  if (pid === null) return;
  const args = commandLine(pid) ?? [];
  const dbFile = args.includes('--db-filename') ? args[args.indexOf('--db-filename') + 1] : undefined;
  if (args.includes('start-dev') && dbFile && resolve(dbFile) === resolve(join(dataDir, 'temporal.db'))) {
    log(`stopping the Temporal dev server left running on ${dbFile} (pid ${pid})`);
    await stopProcess(pid, 'Temporal dev server', { first: 'SIGTERM', last: 'SIGKILL', graceMs: 10_000 });
  }
  removePidFile(pidFile(dataDir));
}

export async function startTemporalDevServer(options: {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
}): Promise<TemporalHandle> {
  await assertPortFree(options.port, 'Temporal (TEMPORAL_PORT)');
  await assertPortFree(options.uiPort, 'Temporal Web UI (TEMPORAL_UI_PORT)');
  const executable = temporalCli();
  const address = `127.0.0.1:${options.port}`;
  const dbFilename = join(options.dataDir, 'temporal.db');

  if (executable.type === 'cached-download') {
    // No pinned binary: let the SDK download and supervise the dev server (needs the internet).
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        dbFilename,
        ip: '127.0.0.1',
        port: options.port,
        ui: true,
        uiPort: options.uiPort,
        namespace: options.namespace,
      },
    });
    return { address, client: env.client, route: executable.route, stop: () => env.teardown() };
  }

  // Its own process group: Ctrl-C reaches our process only, which then stops the worker before the server,
  // so the worker's last calls still find a server.
  const child = spawn(
    executable.path,
    [
      'server',
      'start-dev',
      '--db-filename',
      dbFilename,
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--ui-port',
      String(options.uiPort),
      '--namespace',
      options.namespace,
      // Its warnings are about its own shutdown chatter; errors still reach the terminal.
      '--log-level',
      'error',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (child.pid !== undefined) writePid(pidFile(options.dataDir), child.pid);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let childExit: number | null | undefined;
  void exited.then((code) => (childExit = code));

  const deadline = Date.now() + readyTimeoutMs;
  let connection: Connection | undefined;
  while (!connection) {
    if (childExit !== undefined)
      throw new Error(`the Temporal dev server exited with code ${childExit} while starting`);
    try {
      connection = await Connection.connect({ address, connectTimeout: '1s' });
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Temporal dev server did not answer on ${address} within ${readyTimeoutMs / 1000} s`, {
          cause: err,
        });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    address,
    client: new Client({ connection, namespace: options.namespace }),
    route: executable.route,
    stop: async () => {
      await connection.close();
      if (childExit === undefined) {
        child.kill('SIGTERM');
        await exited;
      }
      removePidFile(pidFile(options.dataDir));
    },
  };
}

export async function connectTemporal(address: string, namespace: string): Promise<TemporalHandle> {
  const connection = await Connection.connect({ address });
  return {
    address,
    client: new Client({ connection, namespace }),
    route: 'TEMPORAL_ADDRESS',
    stop: () => connection.close(),
  };
}
