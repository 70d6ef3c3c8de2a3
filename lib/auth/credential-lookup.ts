import { signInternal, verifyInternal, type SignedEnvelope } from "./internal-signature.ts";
import type { ApiKeyScope } from "./identity.ts";

/**
 * The contract between the gateway, which verifies credentials but holds no
 * database, and the users subgraph, which owns API keys and sign-in sessions. The
 * gateway asks over an internal HTTP route with a request signed by
 * INTERNAL_SECRET; answers are cached briefly at the gateway and evicted early when
 * a credential is revoked (lib/auth/credential-revoked.ts).
 */
export const CREDENTIAL_LOOKUP_PATH = "/internal/credentials";
const PURPOSE = "credential-lookup";
const TTL_SECONDS = 30;

export type CredentialLookupRequest = { apiKeyHash: string } | { sessionId: string };

export interface ApiKeyRecord {
  id: number;
  name: string;
  scopes: ApiKeyScope[];
  rateLimitPerMinute: number;
}

export type CredentialLookupResponse = { apiKey: ApiKeyRecord | null } | { session: { active: boolean } };

export const signLookupRequest = (secret: string, request: CredentialLookupRequest): string => signInternal(secret, PURPOSE, request, TTL_SECONDS);

export function verifyLookupRequest(secret: string, message: unknown): CredentialLookupRequest | null {
  const payload = verifyInternal<SignedEnvelope & Record<string, unknown>>(secret, PURPOSE, typeof message === "string" ? message : undefined);
  if (!payload) return null;
  if (typeof payload.apiKeyHash === "string" && /^[0-9a-f]{64}$/.test(payload.apiKeyHash)) return { apiKeyHash: payload.apiKeyHash };
  if (typeof payload.sessionId === "string" && payload.sessionId.length <= 64) return { sessionId: payload.sessionId };
  return null;
}
