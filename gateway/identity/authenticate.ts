import type { IncomingHttpHeaders } from "node:http";
import { GraphQLError } from "graphql";
import { LRUCache } from "lru-cache";
import { ANONYMOUS, userIdentity, type Identity } from "../../lib/auth/identity.ts";
import { hashSecret } from "../../lib/auth/secrets.ts";
import { bearerToken, rejectedToken, verifyAccessToken, type TokenConfig, type VerifiedToken } from "../../lib/auth/tokens.ts";
import { serviceUnavailable } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import type { CredentialDirectory } from "./credential-directory.ts";

export const API_KEY_HEADER = "x-api-key";
const AUTHORIZATION_HEADER = "authorization";

/** Distinct access tokens whose verification is remembered (a few per signed-in client). */
const VERIFIED_TOKENS_MAX = 10_000;
/** How long a verified token is taken on trust before its signature and claims are checked again (never past its exp). */
const VERIFIED_TOKEN_REUSE_MS = 30_000;

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/**
 * The one place a request's credential is verified: a bearer access token (ours or
 * an OIDC provider's) or a partner's `x-api-key`. No credential is anonymous; a
 * credential that does not verify, or both at once, refuses the request
 * UNAUTHENTICATED (HTTP 401) before anything is planned.
 */
export function createAuthenticator(config: TokenConfig, directory: CredentialDirectory) {
  // A client sends the same token with every request for its lifetime: its signature is
  // checked once, and the session behind it (revocable) is still asked every time.
  const verifiedTokens = new LRUCache<string, { verified: VerifiedToken; identity: Identity }>({ max: VERIFIED_TOKENS_MAX });
  async function verified(token: string) {
    const known = verifiedTokens.get(token);
    if (known) return known;
    const verified = await verifyAccessToken(config, token);
    const entry = { verified, identity: userIdentity(verified.viewer, verified.sessionId) };
    const untilExpiry = verified.expiresAt * 1000 - Date.now();
    if (untilExpiry > 0) verifiedTokens.set(token, entry, { ttl: Math.min(VERIFIED_TOKEN_REUSE_MS, untilExpiry) });
    return entry;
  }

  return async function authenticate(headers: IncomingHttpHeaders, logger: Logger): Promise<Identity> {
    const token = bearerToken(single(headers[AUTHORIZATION_HEADER]));
    const apiKey = single(headers[API_KEY_HEADER]);
    if (token !== null && apiKey !== undefined) throw rejectedToken("Send either an access token or an API key, not both");
    if (token !== null) {
      const { verified: claims, identity } = await verified(token);
      if (claims.sessionId && !(await ask(logger, () => directory.sessionActive(claims.sessionId!)))) {
        throw rejectedToken("The session this access token belongs to has ended; sign in again");
      }
      return identity;
    }
    if (apiKey !== undefined) {
      const record = apiKey.length <= 256 ? await ask(logger, () => directory.apiKey(hashSecret(apiKey.trim()))) : null;
      if (!record) throw rejectedToken("The API key is unknown or revoked");
      return { kind: "apiKey", id: String(record.id), apiKeyId: record.id, name: record.name, scopes: record.scopes, rateLimitPerMinute: record.rateLimitPerMinute };
    }
    return ANONYMOUS;
  };
}

export type Authenticate = ReturnType<typeof createAuthenticator>;

/** A credential that cannot be checked is neither accepted nor called invalid: the client should retry. */
async function ask<T>(logger: Logger, lookup: () => Promise<T>): Promise<T> {
  try {
    return await lookup();
  } catch (error) {
    if (error instanceof GraphQLError) throw error;
    logger.error({ err: error }, "credential lookup failed");
    throw serviceUnavailable("Credentials cannot be checked right now; try again shortly", { http: { status: 503 } });
  }
}
