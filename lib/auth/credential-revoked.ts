import type { EventBus } from "../pubsub.ts";

/**
 * Published when an API key is revoked or a sign-in session ends (sign-out, or a
 * refresh token reused), so every gateway drops what it cached about the
 * credential at once instead of when its cache entry expires.
 */
export const CREDENTIAL_REVOKED_TOPIC = "CREDENTIAL_REVOKED";

/**
 * Set by the users subgraph on the response to an operation that revoked credentials.
 * Pub/sub reaches every gateway within milliseconds, but not always before the
 * revoking client's next request; the gateway that forwards this response forgets the
 * credentials before the client sees the answer, so "revoked" holds at once for it.
 * Internal: the gateway never passes subgraph response headers on to clients.
 */
export const CREDENTIALS_REVOKED_HEADER = "x-shelfgraph-credentials-revoked";

export type CredentialRevokedEvent = { kind: "apiKey"; apiKeyHash: string } | { kind: "session"; sessionId: string };

export async function publishCredentialRevoked(pubsub: EventBus, event: CredentialRevokedEvent): Promise<void> {
  await pubsub.publish(CREDENTIAL_REVOKED_TOPIC, event);
}

export function parseCredentialRevoked(payload: unknown): CredentialRevokedEvent | null {
  if (typeof payload !== "object" || payload === null) return null;
  const event = payload as Record<string, unknown>;
  if (event.kind === "apiKey" && typeof event.apiKeyHash === "string") return { kind: "apiKey", apiKeyHash: event.apiKeyHash };
  if (event.kind === "session" && typeof event.sessionId === "string") return { kind: "session", sessionId: event.sessionId };
  return null;
}

/** Key hashes are hex and session ids UUIDs: neither needs escaping in a header. */
const HEADER_TOKEN = /^(apiKey|session):([A-Za-z0-9_-]{1,128})$/;

export function formatCredentialsRevokedHeader(events: readonly CredentialRevokedEvent[]): string {
  return events.map((event) => (event.kind === "apiKey" ? `apiKey:${event.apiKeyHash}` : `session:${event.sessionId}`)).join(",");
}

export function parseCredentialsRevokedHeader(value: string): CredentialRevokedEvent[] {
  const events: CredentialRevokedEvent[] = [];
  for (const token of value.split(",")) {
    const match = HEADER_TOKEN.exec(token.trim());
    if (!match) continue;
    events.push(match[1] === "apiKey" ? { kind: "apiKey", apiKeyHash: match[2]! } : { kind: "session", sessionId: match[2]! });
  }
  return events;
}
