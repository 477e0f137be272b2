// Requests for one round trip, gathered while the previous one is out: under load a single round trip serves many
// callers, and a lone caller waits for nothing but its own.

/**
 * Calls that arrive while a run is in flight wait for the next run, which serves all of them together (it starts after
 * every one of them was made). Each caller's promise settles with the run that served it: resolved, or rejected with
 * that run's error.
 */
export function coalesced<T>(run: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let waiting: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let running = false;
  const drain = async () => {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await run(batch.map((w) => w.item));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    running = false;
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!running) void drain();
    });
}
