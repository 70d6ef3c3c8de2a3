import { createHash, randomBytes } from "node:crypto";

/**
 * Bearer secrets the platform hands out (refresh tokens, partner API keys): 256
 * random bits behind a readable prefix, stored only as their SHA-256. A slow hash
 * would add nothing: nobody can guess 256 random bits, unlike a password.
 */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

export const hashSecret = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("hex");

export const REFRESH_TOKEN_PREFIX = "sgr_";
export const API_KEY_PREFIX = "sgk_";
