// A token bucket per channel: providers throttle (WhatsApp Cloud API answers 429 past its throughput, SMTP relays
// defer), so a burst of notifications is paced below their limit instead of being refused. Per process: with several
// workers, give each a share of the provider's limit.
export interface RateLimiter {
  take(): Promise<void>;
}

export function rateLimiter(perSecond: number, now: () => number = () => performance.now()): RateLimiter {
  // A tenth of a second's worth at most: a full second's burst on top of the steady rate would let through twice the
  // rate in a one-second window, which is what a provider counts.
  const capacity = Math.max(1, perSecond / 10);
  let tokens = capacity;
  let last = now();
  const refill = () => {
    const t = now();
    tokens = Math.min(capacity, tokens + ((t - last) * perSecond) / 1000);
    last = t;
  };
  return {
    async take() {
      for (;;) {
        refill();
        if (tokens >= 1) {
          tokens -= 1;
          return;
        }
        await new Promise((r) => setTimeout(r, Math.max(1, Math.ceil(((1 - tokens) * 1000) / perSecond))));
      }
    },
  };
}
