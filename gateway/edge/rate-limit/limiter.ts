import type { RateLimitDecision } from "./sliding-window.ts";

/** Charges a caller's key `units` against `limitPerMinute` over a sliding minute. */
export interface RateLimiter {
  readonly kind: "memory" | "redis";
  consume(key: string, units: number, limitPerMinute: number): Promise<RateLimitDecision>;
  close(): Promise<void>;
}
