import type { EventBus } from "../pubsub.ts";

/**
 * Published when an API key is revoked or a sign-in session ends (sign-out, or a
 * refresh token reused), so every gateway drops what it cached about the
 * credential at once instead of when its cache entry expires.
 */
export const CREDENTIAL_REVOKED_TOPIC = "CREDENTIAL_REVOKED";

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
