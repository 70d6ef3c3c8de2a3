/**
 * Cache keys that hold one reader's data, as glob patterns (lib/cache.ts): their
 * recommendation lists under every model version and experiment variant, the stale
 * copies, their list generation and their variant assignment. A module that caches per-reader data adds
 * its pattern here, so account deletion purges it.
 */
export function readerCachePatterns(userId: number): string[] {
  // The edge rate limiter's counters are not here: the gateway drops them itself on USER_ERASED (gateway/edge/rate-limit).
  return [`rec:*:user:${userId}:*`, `rec:variant:${userId}`, `rec:generation:${userId}`];
}
