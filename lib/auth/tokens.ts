import { webcrypto } from "node:crypto";
import { GraphQLError } from "graphql";
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { Config } from "../config.ts";
import { ErrorCode } from "../errors.ts";
import type { Role, Viewer } from "./viewer.ts";

/**
 * Access tokens: short-lived JWTs. Shelfgraph signs its own with HS256 (sign-in,
 * refresh, `npm run token`); with JWT_JWKS_URL an OAuth 2.0 / OIDC provider's
 * RS256/ES256 tokens are accepted too. Every token must carry `exp`, and none may
 * live longer than ACCESS_TOKEN_MAX_LIFETIME_SECONDS however it was minted: a
 * leaked token is only ever good for a bounded time.
 */
export type TokenConfig = Pick<
  Config,
  | "JWT_SECRET"
  | "JWT_ISSUER"
  | "JWT_AUDIENCE"
  | "ACCESS_TOKEN_TTL_SECONDS"
  | "ACCESS_TOKEN_MAX_LIFETIME_SECONDS"
  | "JWT_JWKS_URL"
  | "JWT_JWKS_ISSUER"
  | "JWT_JWKS_AUDIENCE"
  | "JWT_JWKS_USER_CLAIM"
>;

export interface VerifiedToken {
  viewer: Viewer;
  /** The sign-in session (refresh-token family) a Shelfgraph token was issued for. */
  sessionId?: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const LOCAL_ALGORITHM = "HS256";
const EXTERNAL_ALGORITHMS = ["RS256", "ES256"];
/** Clocks of the services and of an external provider may disagree by this much. */
const CLOCK_TOLERANCE_SECONDS = 30;

// Imported once per secret: jose would otherwise import the raw bytes into a WebCrypto
// key on every sign and verify, which cost more than the verification itself.
const importedKeys = new Map<string, Promise<webcrypto.CryptoKey>>();
function secretKey(config: Pick<Config, "JWT_SECRET">): Promise<webcrypto.CryptoKey> {
  let key = importedKeys.get(config.JWT_SECRET);
  if (!key) {
    key = webcrypto.subtle.importKey("raw", new TextEncoder().encode(config.JWT_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    importedKeys.set(config.JWT_SECRET, key);
  }
  return key;
}

/** `expiresIn` is seconds or a jose time span ("15m", "1h"); it defaults to ACCESS_TOKEN_TTL_SECONDS. */
export async function signAccessToken(
  config: Pick<Config, "JWT_SECRET" | "JWT_ISSUER" | "JWT_AUDIENCE"> & Partial<Pick<Config, "ACCESS_TOKEN_TTL_SECONDS">>,
  viewer: Viewer,
  expiresIn: string | number = config.ACCESS_TOKEN_TTL_SECONDS ?? "1h",
  options: { sessionId?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: viewer.role, ...(options.sessionId ? { sid: options.sessionId } : {}) })
    .setProtectedHeader({ alg: LOCAL_ALGORITHM, typ: "JWT" })
    .setSubject(String(viewer.userId))
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(typeof expiresIn === "number" ? now + expiresIn : expiresIn)
    .sign(await secretKey(config));
}

/** Verifies a bearer token of either kind; anything wrong with it is an UNAUTHENTICATED GraphQLError. */
export async function verifyAccessToken(config: TokenConfig, token: string): Promise<VerifiedToken> {
  let algorithm: string | undefined;
  try {
    algorithm = decodeProtectedHeader(token).alg;
  } catch {
    throw rejectedToken("The access token is invalid");
  }
  try {
    if (algorithm === LOCAL_ALGORITHM) {
      const { payload } = await jwtVerify(token, await secretKey(config), {
        algorithms: [LOCAL_ALGORITHM],
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        requiredClaims: ["exp", "iat", "sub"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      enforceLifetime(config, payload);
      const sessionId = typeof payload.sid === "string" ? payload.sid : undefined;
      return { viewer: { userId: userIdFrom(payload.sub), role: payload.role === "ADMIN" ? "ADMIN" : "READER" }, expiresAt: payload.exp!, ...(sessionId ? { sessionId } : {}) };
    }
    if (algorithm && EXTERNAL_ALGORITHMS.includes(algorithm) && config.JWT_JWKS_URL) {
      const { payload } = await jwtVerify(token, remoteKeySet(config.JWT_JWKS_URL), {
        algorithms: EXTERNAL_ALGORITHMS,
        issuer: config.JWT_JWKS_ISSUER,
        audience: config.JWT_JWKS_AUDIENCE,
        requiredClaims: ["exp"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      enforceLifetime(config, payload);
      return { viewer: { userId: userIdFrom(payload[config.JWT_JWKS_USER_CLAIM]), role: externalRole(payload) }, expiresAt: payload.exp! };
    }
  } catch (error) {
    if (error instanceof GraphQLError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw rejectedToken("The access token has expired");
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "exp") throw rejectedToken("The access token must carry an expiry (exp)");
    if (error instanceof joseErrors.JOSEError) throw rejectedToken("The access token is invalid");
    throw error;
  }
  throw rejectedToken("The access token is invalid");
}

/**
 * Reads `Authorization: Bearer <jwt>`. No header means an anonymous viewer; a
 * header that does not verify is UNAUTHENTICATED rather than silently anonymous,
 * so a client with an expired token learns it.
 */
export async function viewerFromAuthorization(config: TokenConfig, header: string | undefined): Promise<Viewer | null> {
  const token = bearerToken(header);
  return token === null ? null : (await verifyAccessToken(config, token)).viewer;
}

/** The token of an `Authorization: Bearer` header; null without a header; UNAUTHENTICATED when it is malformed. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined || header === "") return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw rejectedToken("The Authorization header must be 'Bearer <token>'");
  return match[1];
}

/** A token minted to live longer than the maximum (or with no issue time to judge by, for our own) is refused. */
function enforceLifetime(config: TokenConfig, payload: JWTPayload): void {
  const now = Math.floor(Date.now() / 1000);
  const exp = payload.exp!;
  const lifetime = typeof payload.iat === "number" ? exp - payload.iat : exp - now;
  if (typeof payload.iat === "number" && payload.iat > now + CLOCK_TOLERANCE_SECONDS) throw rejectedToken("The access token was issued in the future");
  if (lifetime > config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS) {
    throw rejectedToken(`The access token lives longer than the maximum of ${config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS} seconds`);
  }
}

function userIdFrom(claim: unknown): number {
  const userId = typeof claim === "string" && /^\d{1,15}$/.test(claim) ? Number(claim) : typeof claim === "number" ? claim : NaN;
  if (!Number.isSafeInteger(userId) || userId <= 0) throw rejectedToken("The access token names no valid user");
  return userId;
}

/** An external provider grants the admin role with `role: "admin"` or `roles` containing "admin" (any case). */
function externalRole(payload: JWTPayload): Role {
  const claimed = [payload.role, ...(Array.isArray(payload.roles) ? payload.roles : [])];
  return claimed.some((role) => typeof role === "string" && role.toUpperCase() === "ADMIN") ? "ADMIN" : "READER";
}

/** One key set per URL for the process: jose caches the keys and refetches on an unknown `kid` (rate-limited). */
const keySets = new Map<string, JWTVerifyGetKey>();
function remoteKeySet(url: string): JWTVerifyGetKey {
  let keySet = keySets.get(url);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    keySets.set(url, keySet);
  }
  return keySet;
}

/** A bad token fails the whole request (HTTP 401), not one field. */
export const rejectedToken = (message: string) =>
  new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
