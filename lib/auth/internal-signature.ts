import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Messages between Shelfgraph's own services, signed with INTERNAL_SECRET
 * (HMAC-SHA256) and valid for seconds. A receiver believes such a message only
 * when its signature verifies, its purpose is the one it expects (an identity
 * header cannot be replayed as a credential lookup) and it has not expired.
 *
 * Format: base64url(JSON payload) "." base64url(HMAC(secret, purpose "." payload)).
 */
export interface SignedEnvelope {
  /** Seconds since the epoch after which the message is void. */
  exp: number;
}

const mac = (secret: string, purpose: string, body: string) => createHmac("sha256", secret).update(`${purpose}.${body}`).digest();

export function signInternal(secret: string, purpose: string, payload: object, ttlSeconds: number, now = Date.now()): string {
  const body = Buffer.from(JSON.stringify({ ...payload, exp: Math.floor(now / 1000) + ttlSeconds })).toString("base64url");
  return `${body}.${mac(secret, purpose, body).toString("base64url")}`;
}

/** The payload, or null when the message is malformed, forged, for another purpose or expired. */
export function verifyInternal<Payload extends SignedEnvelope>(secret: string, purpose: string, message: string | undefined, now = Date.now()): Payload | null {
  if (!message || message.length > 8192) return null;
  const [body, signature, extra] = message.split(".");
  if (!body || !signature || extra !== undefined) return null;
  const expected = mac(secret, purpose, body);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Payload;
    if (typeof payload !== "object" || payload === null || typeof payload.exp !== "number") return null;
    return payload.exp * 1000 >= now ? payload : null;
  } catch {
    return null;
  }
}
