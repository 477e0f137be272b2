// Waiting for something another process does (a worker, a schedule, a fan-out of signals) without guessing how long
// it takes: poll a probe until it answers, pausing between polls, and give up at a deadline of wall-clock time, never
// after a count of tries, which passes or fails with the machine's load.
import { setTimeout as pause } from 'node:timers/promises';

export interface WaitOptions {
  /** What the test waits for, in words: the error names it. */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Calls `probe` until it returns something other than `undefined`, `null` or `false`, and returns that. A probe that
 * throws counts as "not yet"; its last error is reported if the deadline passes.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { what, timeoutMs = 20_000, intervalMs = 50 }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}${cause}`, { cause: lastError });
    }
    await pause(intervalMs);
  }
}
