// What a `kill -9` of `npm start` (or the OOM killer) leaves behind: its Postgres and its Temporal dev server go on
// running and hold their ports. Each is recognised by a pid file in the data folder and by its command line (the pid
// alone could have been reused by another program since), and stopped before the new start.
import { readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The arguments a live process was started with, or null when it has gone (Linux /proc). */
export function commandLine(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // A zombie (exited, not yet reaped by its parent) has an empty command line: it holds nothing any more.
    return raw === '' ? null : raw.split('\0').filter((a) => a !== '');
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  return commandLine(pid) !== null;
}

/** The pid on the first line of a pid file, or null when there is no such file or it holds no pid. */
export function readPid(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.split('\n')[0]?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export function writePid(path: string, pid: number): void {
  writeFileSync(path, `${pid}\n`);
}

export function removePidFile(path: string): void {
  rmSync(path, { force: true });
}

async function exitedWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * Sends `first`, waits up to `graceMs` for the process to exit, then sends `last` and waits as long again.
 * Throws when it still runs, so a start never goes on beside a server that holds our files.
 */
export async function stopProcess(
  pid: number,
  what: string,
  options: { first: NodeJS.Signals; last: NodeJS.Signals; graceMs: number },
): Promise<void> {
  for (const signal of [options.first, options.last]) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw err;
    }
    if (await exitedWithin(pid, options.graceMs)) return;
  }
  throw new Error(
    `${what} yang tertinggal (pid ${pid}) tidak berhenti / the leftover ${what} (pid ${pid}) did not stop; stop it by hand`,
  );
}

export class DataDirInUseError extends Error {}

/**
 * Marks the data folder as this process's (DATA_DIR/pendamping.pid), so that a second `npm start` on the same folder
 * refuses rather than taking the first one's servers for leftovers. A pid file whose process is gone, or is no longer
 * running our script, is stale and taken over. Returns the release for a clean stop.
 */
export function claimDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'pendamping.pid');
  const pid = readPid(path);
  if (pid !== null && pid !== process.pid && runsOurScript(pid)) {
    throw new DataDirInUseError(
      `${dataDir} sedang dipakai pendamping lain (pid ${pid}) / ${dataDir} is in use by another pendamping (pid ${pid}). ` +
        'Stop it, or choose another DATA_DIR.',
    );
  }
  writePid(path, process.pid);
  return () => {
    if (readPid(path) === process.pid) removePidFile(path);
  };
}

function runsOurScript(pid: number): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return (commandLine(pid) ?? []).some((arg) => resolve(cwd, arg) === resolve(script));
  } catch {
    return false;
  }
}
