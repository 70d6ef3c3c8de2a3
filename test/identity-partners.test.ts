import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { CREDENTIALS_REVOKED_HEADER } from "../lib/auth/credential-revoked.ts";
import { IDENTITY_HEADER, signIdentityHeader } from "../lib/auth/internal-identity.ts";
import { hashSecret } from "../lib/auth/secrets.ts";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { databaseTargets } from "./support/databases.ts";
import { errorCodes, graphql } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const CREATE_KEY = /* GraphQL */ `
  mutation Create($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name scopes rateLimitPerMinute keyPrefix } } }
`;
const INTROSPECT = /* GraphQL */ `{ __schema { queryType { name } } }`;
const ISSUER = "https://identity.example.test/";
const AUDIENCE = "shelfgraph-partners";

/** An OIDC provider's key endpoint, as the gateway would fetch it: one RSA and one EC key. */
async function startJwksServer() {
  const rsa = await generateKeyPair("RS256", { extractable: true });
  const ec = await generateKeyPair("ES256", { extractable: true });
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
    { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
  ];
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests += 1;
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    rsa: rsa.privateKey as CryptoKey,
    ec: ec.privateKey as CryptoKey,
    requests: () => requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

for (const target of databaseTargets()) {
  describe(`identity: partner API keys, introspection and an OIDC provider, in production mode (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph;
    let jwks: Awaited<ReturnType<typeof startJwksServer>>;
    let url: string;
    let admin: string;
    const ok = <T extends { errors?: unknown }>(result: T): T => {
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      return result;
    };
    const createKey = async (scopes: string[], name = "Partner bookshop") =>
      ok(await graphql(url, CREATE_KEY, { variables: { input: { name, scopes, rateLimitPerMinute: 120 } }, token: admin })).data!.createApiKey as {
        key: string;
        apiKey: { id: string; name: string; scopes: string[]; rateLimitPerMinute: number; keyPrefix: string };
      };
    const withKey = (key: string) => ({ headers: { "x-api-key": key } });

    before(async () => {
      jwks = await startJwksServer();
      running = await startTestSupergraph(target, { books: 30, users: 20, seed: 13 }, {
        NODE_ENV: "production",
        JWT_SECRET: randomBytes(24).toString("hex"),
        INTERNAL_SECRET: randomBytes(24).toString("hex"),
        JWT_JWKS_URL: jwks.url,
        JWT_JWKS_ISSUER: ISSUER,
        JWT_JWKS_AUDIENCE: AUDIENCE,
      });
      url = running.gatewayUrl;
      admin = await signAccessToken(running.runtime.config, { userId: 1, role: "ADMIN" });
    });
    after(async () => {
      await running?.stop();
      await jwks?.stop();
    });

    it("an admin creates, lists and revokes keys; the key is shown once and stored hashed", async () => {
      const created = await createKey(["introspection"]);
      assert.match(created.key, /^sgk_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(created.apiKey.scopes, ["introspection"]);
      assert.equal(created.apiKey.rateLimitPerMinute, 120);
      assert.ok(created.key.startsWith(created.apiKey.keyPrefix));
      const stored = await running.runtime.db.prisma.apiKey.findUnique({ where: { id: Number(created.apiKey.id) } });
      assert.notEqual(stored!.keyHash, created.key);
      assert.ok(!JSON.stringify(stored).includes(created.key));

      const listed = ok(await graphql(url, `{ apiKeys { id name scopes keyPrefix revokedAt } }`, { token: admin })).data!.apiKeys;
      assert.ok(listed.some((key: { id: string }) => key.id === created.apiKey.id));

      ok(await graphql(url, `{ books(first: 1) { totalCount } }`, withKey(created.key)));
      const revoked = ok(await graphql(url, `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, { variables: { id: created.apiKey.id }, token: admin }));
      assert.ok(revoked.data!.revokeApiKey.revokedAt);
      assert.equal(revoked.headers.get(CREDENTIALS_REVOKED_HEADER), null, "the internal header stays between subgraph and gateway");
      const refused = await graphql(url, `{ books(first: 1) { totalCount } }`, withKey(created.key));
      assert.deepEqual(errorCodes(refused), ["UNAUTHENTICATED"], "a revoked key is refused at once");
      assert.equal(refused.status, 401);

      for (const input of [
        { name: "x", scopes: ["everything"], rateLimitPerMinute: 10 },
        { name: "x", scopes: [], rateLimitPerMinute: 0 },
        { name: " ", scopes: [], rateLimitPerMinute: 10 },
      ]) {
        assert.deepEqual(errorCodes(await graphql(url, CREATE_KEY, { variables: { input }, token: admin })), ["BAD_USER_INPUT"], JSON.stringify(input));
      }
    });

    it("the revoking answer names the key to the gateway, so revocation does not wait for pub/sub", async () => {
      const { key, apiKey } = await createKey([], "Revoked directly");
      const adminIdentity = { kind: "user", id: "1", userId: 1, role: "ADMIN", scopes: [] } as const;
      const direct = await graphql(running.supergraph.subgraphs.users.url, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, {
        variables: { id: apiKey.id },
        headers: { [IDENTITY_HEADER]: signIdentityHeader(running.runtime.config.INTERNAL_SECRET, adminIdentity) },
      });
      assert.equal(direct.errors, undefined, JSON.stringify(direct.errors));
      assert.equal(direct.headers.get(CREDENTIALS_REVOKED_HEADER), `apiKey:${hashSecret(key)}`);
      // Revoking it again changes nothing, so there is nothing to name.
      const again = await graphql(running.supergraph.subgraphs.users.url, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, {
        variables: { id: apiKey.id },
        headers: { [IDENTITY_HEADER]: signIdentityHeader(running.runtime.config.INTERNAL_SECRET, adminIdentity) },
      });
      assert.equal(again.headers.get(CREDENTIALS_REVOKED_HEADER), null);
    });

    it("a partner key reads what is public and is refused everything outside its scopes", async () => {
      const { key } = await createKey([], "Catalogue reader");
      const reads = ok(await graphql(url, `{ book(id: "1") { title similar(limit: 2) { score } reviews { totalCount } }
        trendingBooks(limit: 2) { readers } user(id: "2") { displayName ratings { totalCount } followers { totalCount } } }`, withKey(key)));
      assert.ok(reads.data!.book.title);
      const refusals = [
        `{ me { id } }`,
        `{ user(id: "2") { email } }`,
        `{ user(id: "2") { shelf { totalCount } } }`,
        `{ user(id: "2") { recommendations { score } } }`,
        `{ recommendations(input: { userId: "2" }) { score } }`,
        `{ apiKeys { id } }`,
        `mutation { rateBook(bookId: "1", rating: 5) { id } }`,
        `mutation { createApiKey(input: { name: "mine", scopes: ["introspection"], rateLimitPerMinute: 5 }) { key } }`,
        `mutation { deleteBook(id: "1") { id } }`,
      ];
      for (const query of refusals) assert.deepEqual(errorCodes(await graphql(url, query, withKey(key))), ["FORBIDDEN"], query);
      assert.deepEqual(errorCodes(await graphql(url, INTROSPECT, withKey(key))), ["GRAPHQL_VALIDATION_FAILED"], "introspection needs its scope");

      const unknown = await graphql(url, `{ books(first: 1) { totalCount } }`, withKey(`sgk_${randomBytes(32).toString("base64url")}`));
      assert.deepEqual(errorCodes(unknown), ["UNAUTHENTICATED"]);
      const both = await graphql(url, `{ books(first: 1) { totalCount } }`, { ...withKey(key), token: admin });
      assert.deepEqual(errorCodes(both), ["UNAUTHENTICATED"]);
    });

    it("a partner key is rate limited by its own rateLimitPerMinute", async () => {
      const created = ok(await graphql(url, CREATE_KEY, { variables: { input: { name: "Tiny", scopes: [], rateLimitPerMinute: 3 } }, token: admin })).data!.createApiKey;
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await graphql(url, `{ genres { id } }`, withKey(created.key))).status);
      assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
      const limited = await graphql(url, `{ genres { id } }`, withKey(created.key));
      assert.equal(limited.status, 429);
      assert.deepEqual(errorCodes(limited), ["RATE_LIMITED"]);
      assert.equal(limited.errors![0]!.extensions!.limit, 3);
      // The reader next door is counted apart, against the global limit.
      ok(await graphql(url, `{ genres { id } }`, { token: admin }));
    });

    it("only a key with the introspection scope may introspect in production", async () => {
      const { key } = await createKey(["introspection"], "Playground");
      const allowed = ok(await graphql(url, INTROSPECT, withKey(key)));
      assert.equal(allowed.data!.__schema.queryType.name, "Query");
      const reader = await signAccessToken(running.runtime.config, { userId: 2, role: "READER" });
      for (const options of [{}, { token: reader }, { token: admin }]) {
        const refused = await graphql(url, `{ __type(name: "User") { fields { name } } }`, options);
        assert.deepEqual(errorCodes(refused), ["GRAPHQL_VALIDATION_FAILED"]);
        assert.equal(refused.status, 400);
      }
      // __typename is not introspection.
      assert.equal(ok(await graphql(url, `{ __typename }`)).data!.__typename, "Query");
    });

    it("accepts RS256 and ES256 tokens from the OIDC provider's JWKS, with exp, and caches its keys", async () => {
      const now = Math.floor(Date.now() / 1000);
      const external = (alg: "RS256" | "ES256", claims: Record<string, unknown>, issuer = ISSUER) => {
        const jwt = new SignJWT(claims).setProtectedHeader({ alg, kid: alg === "RS256" ? "rsa-1" : "ec-1" }).setIssuer(issuer).setAudience(AUDIENCE).setIssuedAt(now);
        return jwt;
      };
      const rsaToken = await external("RS256", { sub: "5" }).setExpirationTime(now + 300).sign(jwks.rsa);
      assert.equal(ok(await graphql(url, `{ me { id } }`, { token: rsaToken })).data!.me.id, "5");
      const ecAdmin = await external("ES256", { sub: "6", roles: ["admin"] }).setExpirationTime(now + 300).sign(jwks.ec);
      ok(await graphql(url, `{ user(id: "4") { email } }`, { token: ecAdmin }));
      for (let i = 0; i < 5; i += 1) ok(await graphql(url, `{ me { id } }`, { token: rsaToken }));
      assert.ok(jwks.requests() <= 2, `the key set was fetched ${jwks.requests()} times`);

      const refused = [
        await external("RS256", { sub: "5" }).sign(jwks.rsa),
        await external("RS256", { sub: "5" }, "https://elsewhere.test/").setExpirationTime(now + 300).sign(jwks.rsa),
        await external("ES256", { sub: "5" }).setExpirationTime(now + running.runtime.config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS + 600).sign(jwks.ec),
        await external("RS256", { sub: "5" }).setExpirationTime(now + 300).sign((await generateKeyPair("RS256")).privateKey),
        await external("RS256", { sub: "not-a-user" }).setExpirationTime(now + 300).sign(jwks.rsa),
      ];
      for (const [index, token] of refused.entries()) {
        assert.deepEqual(errorCodes(await graphql(url, `{ me { id } }`, { token })), ["UNAUTHENTICATED"], `case ${index}`);
      }
    });
  });
}
