/**
 * Whom a request is counted against: a signed-in reader, a partner API key (with
 * its own per-minute allowance), or, for anonymous calls, the client's address.
 * The limiter needs nothing else of the caller's identity.
 */
export interface RateLimitIdentity {
  kind: "user" | "apiKey" | "ip";
  id: string;
  /** This caller's allowance when it differs from RATE_LIMIT_PER_MINUTE (a partner key's own limit). */
  limitPerMinute?: number;
}

export const rateLimitKey = (identity: RateLimitIdentity) => `${identity.kind}:${identity.id}`;
