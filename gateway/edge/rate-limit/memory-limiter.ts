import { LRUCache } from "lru-cache";
import type { RateLimiter } from "./limiter.ts";
import { chargeableUnits, decide, estimatedUse, WINDOW_MS, windowIndex } from "./sliding-window.ts";

interface Counter {
  window: number;
  previous: number;
  current: number;
}

/**
 * The sliding window in this process (embedded mode, one gateway). Bounded: the
 * least recently seen callers are forgotten first, and idle ones after two minutes.
 */
export function createMemoryRateLimiter(options: { maxKeys?: number; now?: () => number } = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const counters = new LRUCache<string, Counter>({ max: options.maxKeys ?? 100_000, ttl: 2 * WINDOW_MS });
  return {
    kind: "memory",
    async consume(key, units, limitPerMinute) {
      const at = now();
      const window = windowIndex(at);
      const stored = counters.get(key);
      const counter: Counter =
        !stored || stored.window < window - 1
          ? { window, previous: 0, current: 0 }
          : stored.window === window - 1
            ? { window, previous: stored.current, current: 0 }
            : stored;
      const charge = chargeableUnits(units, limitPerMinute);
      counters.set(key, counter);
      if (estimatedUse(counter, at) + charge > limitPerMinute) return decide(counter, charge, limitPerMinute, at, false);
      counter.current += charge;
      return decide(counter, charge, limitPerMinute, at, true);
    },
    async forget(key) {
      counters.delete(key);
    },
    async close() {
      counters.clear();
    },
  };
}
