// The read cache's barrier, held open: a write through the API whose answer must wait until its change has reached the
// cache, caught while it waits.
import { expect } from 'vitest';
import type { App } from '../../api/app.js';
import type { ReadCache } from '../../infra/read-cache.js';
import { waitFor } from './wait.js';

/**
 * Renames a business through the API while the cache holds its change notifications back, checks that the answer
 * waits at its barrier, runs `meanwhile` (given what is held) during the wait, then lets the notifications through and
 * returns the answer.
 */
export async function renameAtHeldBarrier(
  app: App,
  cache: ReadCache,
  rename: { businessId: string; name: string; headers: Record<string, string> },
  meanwhile?: (held: readonly string[]) => Promise<void>,
) {
  const hold = cache.holdNotifications();
  let answered = false;
  const patching = app
    .inject({
      method: 'PATCH',
      url: `/api/v1/businesses/${rename.businessId}`,
      headers: rename.headers,
      payload: { name: rename.name },
    })
    .then((res) => ((answered = true), res));
  try {
    // Either the answer went out, or the write's barrier is waiting behind the held notifications.
    await waitFor(() => answered || hold.held.some((p) => p.startsWith('barrier:')), {
      what: 'the PATCH to answer or wait at its barrier',
    });
    expect(answered).toBe(false);
    await meanwhile?.(hold.held);
  } finally {
    hold.release();
  }
  return patching;
}
