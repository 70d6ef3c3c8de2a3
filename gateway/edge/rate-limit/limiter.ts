import type { RateLimitDecision } from "./sliding-window.ts";

/** Charges a caller's key `units` against `limitPerMinute` over a sliding minute. */
export interface RateLimiter {
  readonly kind: "memory" | "redis";
  consume(key: string, units: number, limitPerMinute: number): Promise<RateLimitDecision>;
  /** Drops every counter of a caller's key (an erased reader leaves no trace, not even a count). */
  forget(key: string): Promise<void>;
  close(): Promise<void>;
}
