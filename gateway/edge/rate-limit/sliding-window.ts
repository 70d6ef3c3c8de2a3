/**
 * Sliding-window counter (the two-window approximation): the count of the
 * previous fixed minute, weighted by how much of it still lies inside the last
 * 60 s, plus the count of the current minute. Constant memory per caller, smooth
 * at window edges, and the same arithmetic in process and in Redis.
 */
export const WINDOW_MS = 60_000;

export interface WindowCounts {
  previous: number;
  current: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Units still available in the sliding minute after this request. */
  remaining: number;
  /** Whole seconds until a request of the same weight would be allowed (0 when allowed). */
  retryAfterSeconds: number;
}

export const windowIndex = (nowMs: number) => Math.floor(nowMs / WINDOW_MS);
const elapsedFraction = (nowMs: number) => (nowMs % WINDOW_MS) / WINDOW_MS;

export const estimatedUse = (counts: WindowCounts, nowMs: number) =>
  counts.previous * (1 - elapsedFraction(nowMs)) + counts.current;

/** Units a request is charged, never more than the whole allowance (it could never pass). */
export const chargeableUnits = (units: number, limit: number) => Math.min(Math.max(1, Math.ceil(units)), limit);

/** The decision for counts read before (refused) or after (allowed) charging `units`. */
export function decide(counts: WindowCounts, units: number, limit: number, nowMs: number, allowed: boolean): RateLimitDecision {
  const used = estimatedUse(counts, nowMs);
  if (allowed) return { allowed, limit, remaining: Math.max(0, Math.floor(limit - used)), retryAfterSeconds: 0 };
  return { allowed, limit, remaining: Math.max(0, Math.floor(limit - used)), retryAfterSeconds: secondsUntilAllowed(counts, units, limit, nowMs) };
}

/** When the weighted previous window has decayed enough (possibly into the next window) for `units` to fit. */
function secondsUntilAllowed(counts: WindowCounts, units: number, limit: number, nowMs: number): number {
  const fraction = elapsedFraction(nowMs);
  const room = limit - units - counts.current;
  if (room >= 0 && counts.previous > 0) {
    // Within this window: previous × (1 − f) ≤ room.
    const needed = 1 - room / counts.previous;
    return Math.max(1, Math.ceil(((needed - fraction) * WINDOW_MS) / 1000));
  }
  // Next window: the current count becomes the weighted previous one.
  const untilNext = (1 - fraction) * WINDOW_MS;
  const nextRoom = limit - units;
  const needed = counts.current > 0 ? Math.max(0, 1 - nextRoom / counts.current) : 0;
  return Math.max(1, Math.ceil((untilNext + needed * WINDOW_MS) / 1000));
}
