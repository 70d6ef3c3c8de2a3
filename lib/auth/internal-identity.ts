import { ANONYMOUS, isApiKeyScope, type Identity } from "./identity.ts";
import { signInternal, verifyInternal, type SignedEnvelope } from "./internal-signature.ts";

/**
 * How the gateway tells a subgraph who the caller is: the Identity it verified,
 * signed with INTERNAL_SECRET and valid for a minute. Subgraphs verify no
 * credential themselves and believe this header only when its signature holds, so
 * a client that reaches a subgraph directly, or sends the header through the
 * gateway, is anonymous.
 */
export const IDENTITY_HEADER = "x-shelfgraph-identity";
const PURPOSE = "identity";
const TTL_SECONDS = 60;

/**
 * Headers a client might send hoping a service trusts them as identity. The gateway
 * drops them (it forwards no client header to subgraphs at all; this list keeps it
 * so if header propagation is ever added).
 */
export const CLIENT_IDENTITY_HEADERS = [IDENTITY_HEADER, "x-user-id", "x-user-role", "x-forwarded-user", "x-remote-user", "x-api-key", "authorization"] as const;

type IdentityEnvelope = SignedEnvelope & { identity: Identity };

export const signIdentityHeader = (secret: string, identity: Identity): string => signInternal(secret, PURPOSE, { identity }, TTL_SECONDS);

/** The signed identity, ANONYMOUS without a header, or null when a header is present but does not verify. */
export function identityFromHeader(secret: string, header: string | string[] | undefined): Identity | null {
  if (header === undefined) return ANONYMOUS;
  const envelope = verifyInternal<IdentityEnvelope>(secret, PURPOSE, Array.isArray(header) ? header[0] : header);
  return envelope ? parseIdentity(envelope.identity) : null;
}

/** Even a signed message is read field by field: the shapes of two deployed versions may differ. */
function parseIdentity(value: unknown): Identity | null {
  if (typeof value !== "object" || value === null) return null;
  const candidate = value as Record<string, unknown>;
  const scopes = Array.isArray(candidate.scopes) ? candidate.scopes.filter((scope): scope is string => typeof scope === "string") : [];
  switch (candidate.kind) {
    case "anonymous":
      return ANONYMOUS;
    case "user": {
      const userId = candidate.userId;
      if (typeof userId !== "number" || !Number.isSafeInteger(userId) || userId <= 0) return null;
      const role = candidate.role === "ADMIN" ? "ADMIN" : "READER";
      const sessionId = typeof candidate.sessionId === "string" ? candidate.sessionId : undefined;
      return { kind: "user", id: String(userId), userId, role, scopes: [], ...(sessionId ? { sessionId } : {}) };
    }
    case "apiKey": {
      const { apiKeyId, name, rateLimitPerMinute } = candidate;
      if (typeof apiKeyId !== "number" || typeof name !== "string" || typeof rateLimitPerMinute !== "number") return null;
      return { kind: "apiKey", id: String(apiKeyId), apiKeyId, name, scopes: scopes.filter(isApiKeyScope), rateLimitPerMinute };
    }
    default:
      return null;
  }
}
