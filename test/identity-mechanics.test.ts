import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ANONYMOUS, callerKey } from "../lib/auth/identity.ts";
import { identityFromHeader, signIdentityHeader } from "../lib/auth/internal-identity.ts";
import { signInternal, verifyInternal } from "../lib/auth/internal-signature.ts";
import { hashPassword, verifyPassword } from "../lib/auth/passwords.ts";
import { loadConfig } from "../lib/config.ts";

const SECRET = "an-internal-secret-of-enough-length-1234";

describe("identity mechanics", () => {
  it("scrypt hashes carry their own salt and parameters and verify only the right password", async () => {
    const first = await hashPassword("correct horse battery");
    const second = await hashPassword("correct horse battery");
    assert.notEqual(first, second, "a fresh salt per hash");
    assert.match(first, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword("correct horse battery", first), true);
    assert.equal(await verifyPassword("correct horse battery!", first), false);
    assert.equal(await verifyPassword("anything", "plain-text"), false);
  });

  it("internal messages verify only with the secret, for their purpose, before they expire, untampered", () => {
    const message = signInternal(SECRET, "identity", { hello: "world" }, 60);
    assert.equal(verifyInternal<{ exp: number; hello: string }>(SECRET, "identity", message)?.hello, "world");
    assert.equal(verifyInternal(SECRET, "credential-lookup", message), null);
    assert.equal(verifyInternal(`${SECRET}x`, "identity", message), null);
    assert.equal(verifyInternal(SECRET, "identity", signInternal(SECRET, "identity", {}, -1)), null);
    const [body, signature] = message.split(".");
    const tampered = Buffer.from(JSON.stringify({ hello: "admin", exp: 9_999_999_999 })).toString("base64url");
    assert.equal(verifyInternal(SECRET, "identity", `${tampered}.${signature}`), null);
    assert.equal(verifyInternal(SECRET, "identity", `${body}`), null);
  });

  it("the identity header round-trips every kind and refuses shapes it does not know", () => {
    const apiKey = { kind: "apiKey", id: "7", apiKeyId: 7, name: "Shop", scopes: ["introspection"], rateLimitPerMinute: 600 } as const;
    assert.deepEqual(identityFromHeader(SECRET, signIdentityHeader(SECRET, apiKey)), apiKey);
    const user = { kind: "user", id: "3", userId: 3, role: "ADMIN", scopes: [], sessionId: "s" } as const;
    assert.deepEqual(identityFromHeader(SECRET, signIdentityHeader(SECRET, user)), user);
    assert.equal(identityFromHeader(SECRET, undefined), ANONYMOUS);
    assert.equal(identityFromHeader(SECRET, signInternal(SECRET, "identity", { identity: { kind: "root" } }, 60)), null);
    assert.equal(callerKey(apiKey), "apiKey:7");
    assert.equal(callerKey(user), "user:3");
    assert.equal(callerKey(ANONYMOUS), null);
  });

  it("configuration: INTERNAL_SECRET is required in production and must differ from JWT_SECRET; JWKS needs issuer and audience", () => {
    const jwt = "j".repeat(40);
    assert.throws(() => loadConfig({ NODE_ENV: "production", JWT_SECRET: jwt }), /INTERNAL_SECRET: must be set in production/);
    assert.throws(() => loadConfig({ JWT_SECRET: jwt, INTERNAL_SECRET: jwt }), /INTERNAL_SECRET: must differ from JWT_SECRET/);
    assert.throws(() => loadConfig({ JWT_JWKS_URL: "https://idp.example/jwks.json" }), /JWT_JWKS_URL: needs JWT_JWKS_ISSUER and JWT_JWKS_AUDIENCE/);
    assert.throws(() => loadConfig({ ACCESS_TOKEN_TTL_SECONDS: "7200", ACCESS_TOKEN_MAX_LIFETIME_SECONDS: "3600" }), /ACCESS_TOKEN_TTL_SECONDS/);
    assert.equal(loadConfig({ NODE_ENV: "production", JWT_SECRET: jwt, INTERNAL_SECRET: "i".repeat(40) }).ACCESS_TOKEN_TTL_SECONDS, 900);
  });
});
