import { webcrypto } from "node:crypto";
import { jwtVerify, SignJWT, errors as joseErrors } from "jose";
import type { Config } from "../config.ts";
import { GraphQLError } from "graphql";
import { ErrorCode } from "../errors.ts";
import type { Role, Viewer } from "./viewer.ts";

type TokenConfig = Pick<Config, "JWT_SECRET" | "JWT_ISSUER" | "JWT_AUDIENCE">;

const ALGORITHM = "HS256";
// Imported once per secret: jose would otherwise import the raw bytes into a WebCrypto
// key on every sign and verify, which cost more than the verification itself.
const importedKeys = new Map<string, Promise<webcrypto.CryptoKey>>();
function secretKey(config: TokenConfig): Promise<webcrypto.CryptoKey> {
  let key = importedKeys.get(config.JWT_SECRET);
  if (!key) {
    key = webcrypto.subtle.importKey("raw", new TextEncoder().encode(config.JWT_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    importedKeys.set(config.JWT_SECRET, key);
  }
  return key;
}

export async function signAccessToken(config: TokenConfig, viewer: Viewer, expiresIn = "1h"): Promise<string> {
  return new SignJWT({ role: viewer.role })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(String(viewer.userId))
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(await secretKey(config));
}

/**
 * Reads `Authorization: Bearer <jwt>`. No header means an anonymous viewer; a
 * header that does not verify is UNAUTHENTICATED rather than silently anonymous,
 * so a client with an expired token learns it.
 */
export async function viewerFromAuthorization(config: TokenConfig, header: string | undefined): Promise<Viewer | null> {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw rejectedToken("The Authorization header must be 'Bearer <token>'");
  try {
    const { payload } = await jwtVerify(match[1], await secretKey(config), {
      algorithms: [ALGORITHM],
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    const userId = Number(payload.sub);
    const role = payload.role === "ADMIN" ? "ADMIN" : "READER";
    if (!Number.isSafeInteger(userId) || userId <= 0) throw rejectedToken("The access token names no valid user");
    return { userId, role: role satisfies Role };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw rejectedToken("The access token has expired");
    if (error instanceof joseErrors.JOSEError) throw rejectedToken("The access token is invalid");
    throw error;
  }
}

/** A bad token fails the whole request (HTTP 401), not one field. */
const rejectedToken = (message: string) =>
  new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
