import { LRUCache } from "lru-cache";
import type { Identity } from "../auth/identity.ts";
import { identityFromHeader } from "../auth/internal-identity.ts";

/** Distinct signed identity headers remembered per process (the gateway reuses one per caller for a while). */
const MAX_HEADERS = 10_000;

/**
 * identityFromHeader, remembered by the exact header text until the header expires:
 * the gateway signs one header per caller and reuses it across that caller's
 * requests, so its HMAC is checked once here rather than on every request.
 * Only verified headers are remembered; one that fails is checked again each time.
 */
export function verifiedIdentities(secret: string): (header: string | string[] | undefined) => Identity | null {
  const known = new LRUCache<string, Identity>({ max: MAX_HEADERS });
  return (header) => {
    const text = Array.isArray(header) ? header[0] : header;
    if (text === undefined) return identityFromHeader(secret, text);
    const cached = known.get(text);
    if (cached) return cached;
    const identity = identityFromHeader(secret, text);
    const untilExpiry = identity ? expiresAtMs(text) - Date.now() : 0;
    if (identity && untilExpiry > 0) known.set(text, identity, { ttl: untilExpiry });
    return identity;
  };
}

/** The `exp` of a header whose signature has just verified (lib/auth/internal-signature.ts: base64url JSON "." signature). */
function expiresAtMs(header: string): number {
  const exp = (JSON.parse(Buffer.from(header.slice(0, header.indexOf(".")), "base64url").toString("utf8")) as { exp: number }).exp;
  return exp * 1000;
}
