import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SignJWT } from "jose";
import { signInternal } from "../lib/auth/internal-signature.ts";
import { IDENTITY_HEADER, signIdentityHeader } from "../lib/auth/internal-identity.ts";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { databaseTargets } from "./support/databases.ts";
import { errorCodes, graphql } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const SIGN_UP = /* GraphQL */ `
  mutation SignUp($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken expiresAt user { id displayName } } }
`;
const SIGN_IN = /* GraphQL */ `
  mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) { accessToken refreshToken expiresAt user { id } } }
`;
const REFRESH = /* GraphQL */ `
  mutation Refresh($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { accessToken refreshToken expiresAt user { id } } }
`;
const SIGN_OUT = /* GraphQL */ `mutation SignOut($refreshToken: String) { signOut(refreshToken: $refreshToken) }`;
const ME = /* GraphQL */ `{ me { id displayName email } }`;

for (const target of databaseTargets()) {
  describe(`identity: accounts, sessions and tokens through the gateway (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph;
    let url: string;
    const ok = <T extends { errors?: unknown }>(result: T): T => {
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      return result;
    };
    const tokenFor = (userId: number, role: "READER" | "ADMIN" = "READER") => signAccessToken(running.runtime.config, { userId, role });
    let signUps = 0;
    const newReader = async () => {
      signUps += 1;
      const email = `reader${signUps}-${Date.now()}@example.org`;
      const password = `correct horse ${signUps}`;
      const result = ok(await graphql(url, SIGN_UP, { variables: { input: { email, password, displayName: `Reader ${signUps}` } } }));
      return { email, password, ...(result.data!.signUp as { accessToken: string; refreshToken: string; expiresAt: string; user: { id: string } }) };
    };

    before(async () => {
      running = await startTestSupergraph(target, { books: 30, users: 20, seed: 11 });
      url = running.gatewayUrl;
    });
    after(async () => {
      await running?.stop();
    });

    it("signs up, signs in, reads me, refreshes and signs out", async () => {
      const email = `Ada.${Date.now()}@Example.org`;
      const signedUp = ok(await graphql(url, SIGN_UP, { variables: { input: { email, password: "analytical engine", displayName: "  Ada   Lovelace " } } }));
      const payload = signedUp.data!.signUp;
      assert.equal(payload.user.displayName, "Ada Lovelace");
      assert.equal(ok(await graphql(url, ME, { token: payload.accessToken })).data!.me.email, email.toLowerCase(), "the new reader sees their own email");
      const expiresIn = Date.parse(payload.expiresAt) - Date.now();
      assert.ok(expiresIn > 0 && expiresIn <= running.runtime.config.ACCESS_TOKEN_TTL_SECONDS * 1000, `expires in ${expiresIn} ms`);

      const credential = await running.runtime.db.prisma.userCredential.findUnique({ where: { userId: Number(payload.user.id) } });
      assert.match(credential!.passwordHash, /^scrypt\$\d+\$\d+\$\d+\$/);
      assert.ok(!credential!.passwordHash.includes("analytical engine"));

      // Emails are matched regardless of case.
      const signedIn = ok(await graphql(url, SIGN_IN, { variables: { email: email.toUpperCase(), password: "analytical engine" } }));
      const session = signedIn.data!.signIn;
      assert.equal(session.user.id, payload.user.id);
      const me = ok(await graphql(url, ME, { token: session.accessToken }));
      assert.equal(me.data!.me.id, payload.user.id);

      const refreshed = ok(await graphql(url, REFRESH, { variables: { refreshToken: session.refreshToken } })).data!.refreshSession;
      assert.notEqual(refreshed.refreshToken, session.refreshToken, "the refresh token rotates");
      assert.equal(ok(await graphql(url, ME, { token: refreshed.accessToken })).data!.me.id, payload.user.id);
      const stored = await running.runtime.db.prisma.refreshToken.findMany();
      assert.ok(stored.every((row) => row.tokenHash.length === 64 && row.tokenHash !== refreshed.refreshToken), "refresh tokens are stored hashed");

      assert.equal(ok(await graphql(url, SIGN_OUT, { token: refreshed.accessToken })).data!.signOut, true);
      const afterSignOut = await graphql(url, ME, { token: refreshed.accessToken });
      assert.deepEqual(errorCodes(afterSignOut), ["UNAUTHENTICATED"], "the signed-out session's access token is refused");
      assert.equal(afterSignOut.status, 401);
      assert.deepEqual(errorCodes(await graphql(url, REFRESH, { variables: { refreshToken: refreshed.refreshToken } })), ["UNAUTHENTICATED"]);
      // The other session (from sign-up) is untouched.
      assert.equal(ok(await graphql(url, ME, { token: payload.accessToken })).data!.me.id, payload.user.id);
    });

    it("refuses wrong passwords, taken emails and bad sign-up input with coded errors", async () => {
      const reader = await newReader();
      const wrong = await graphql(url, SIGN_IN, { variables: { email: reader.email, password: "not the password" } });
      assert.deepEqual(errorCodes(wrong), ["UNAUTHENTICATED"]);
      const unknown = await graphql(url, SIGN_IN, { variables: { email: "nobody@example.org", password: "whatever it is" } });
      assert.deepEqual(errorCodes(unknown), ["UNAUTHENTICATED"]);
      assert.equal(unknown.errors![0]!.message, wrong.errors![0]!.message, "an unknown email reads like a wrong password");
      const taken = await graphql(url, SIGN_UP, { variables: { input: { email: reader.email.toUpperCase(), password: "another password", displayName: "Copy" } } });
      assert.deepEqual(errorCodes(taken), ["CONFLICT"]);
      for (const input of [
        { email: "not-an-email", password: "long enough", displayName: "X" },
        { email: "short@example.org", password: "short", displayName: "X" },
        { email: "blank@example.org", password: "long enough", displayName: "   " },
      ]) {
        const bad = await graphql(url, SIGN_UP, { variables: { input } });
        assert.deepEqual(errorCodes(bad), ["BAD_USER_INPUT"], JSON.stringify(input));
        assert.ok(bad.status < 500);
      }
    });

    it("reusing a rotated refresh token revokes the whole family", async () => {
      const reader = await newReader();
      const first = ok(await graphql(url, REFRESH, { variables: { refreshToken: reader.refreshToken } })).data!.refreshSession;
      const second = ok(await graphql(url, REFRESH, { variables: { refreshToken: first.refreshToken } })).data!.refreshSession;
      // An attacker replays the first (already rotated) token.
      const replay = await graphql(url, REFRESH, { variables: { refreshToken: reader.refreshToken } });
      assert.deepEqual(errorCodes(replay), ["UNAUTHENTICATED"]);
      // Every token of the family is now dead, the newest included, and so are its access tokens.
      assert.deepEqual(errorCodes(await graphql(url, REFRESH, { variables: { refreshToken: second.refreshToken } })), ["UNAUTHENTICATED"]);
      assert.deepEqual(errorCodes(await graphql(url, ME, { token: second.accessToken })), ["UNAUTHENTICATED"]);
      const session = await running.runtime.db.prisma.authSession.findFirst({ where: { userId: Number(reader.user.id) } });
      assert.equal(session!.revokedReason, "REUSE");
    });

    it("refuses expired, exp-less, too-long-lived and forged tokens, and honours operator tokens with exp", async () => {
      const config = running.runtime.config;
      const key = new TextEncoder().encode(config.JWT_SECRET);
      const now = Math.floor(Date.now() / 1000);
      const base = () => new SignJWT({ role: "READER" }).setProtectedHeader({ alg: "HS256" }).setSubject("3").setIssuer(config.JWT_ISSUER).setAudience(config.JWT_AUDIENCE);
      const cases: [string, string][] = [
        ["expired", await base().setIssuedAt(now - 7200).setExpirationTime(now - 3600).sign(key)],
        ["exp-less", await base().setIssuedAt(now).sign(key)],
        ["lives longer than the maximum", await base().setIssuedAt(now).setExpirationTime(now + config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS + 3600).sign(key)],
        ["iat-less", await base().setExpirationTime(now + 600).sign(key)],
        ["wrong secret", await signAccessToken({ ...config, JWT_SECRET: "x".repeat(40) }, { userId: 3, role: "ADMIN" })],
        ["alg none", `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify({ sub: "3", role: "ADMIN", exp: now + 60 })).toString("base64url")}.`],
      ];
      for (const [name, token] of cases) {
        const result = await graphql(url, ME, { token });
        assert.deepEqual(errorCodes(result), ["UNAUTHENTICATED"], name);
        assert.equal(result.status, 401, name);
      }
      const operator = await tokenFor(3, "ADMIN");
      assert.equal(ok(await graphql(url, `{ user(id: "4") { email } }`, { token: operator })).errors, undefined, "npm run token's admin tokens work");
    });

    it("a reader cannot read or change another reader's private data, nor do anything admin", async () => {
      const mine = await newReader();
      const theirs = await newReader();
      const token = mine.accessToken;
      for (const field of ["email", "ageGroup", "country", "segment", "preferences { genres { weight } }", "readingHistory { totalCount }", "shelf { totalCount }", "feed { totalCount }", "recommendations { score }"]) {
        const snooping = await graphql(url, `{ user(id: "${theirs.user.id}") { ${field} } }`, { token });
        assert.deepEqual(errorCodes(snooping), ["FORBIDDEN"], field);
        const anonymous = await graphql(url, `{ user(id: "${theirs.user.id}") { ${field} } }`);
        assert.deepEqual(errorCodes(anonymous), ["UNAUTHENTICATED"], `anonymous ${field}`);
      }
      const theirScore = await graphql(url, `{ book(id: "1") { score(userId: "${theirs.user.id}") } }`, { token });
      assert.deepEqual(errorCodes(theirScore), ["FORBIDDEN"]);
      const theirList = await graphql(url, `{ recommendations(input: { userId: "${theirs.user.id}" }) { score } }`, { token });
      assert.deepEqual(errorCodes(theirList), ["FORBIDDEN"]);
      // Public: profile, ratings, reviews, follows.
      ok(await graphql(url, `{ user(id: "${theirs.user.id}") { id displayName registeredAt ratings { totalCount } reviews { totalCount } followers { totalCount } following { totalCount } } }`));

      // Their sessions cannot be ended with my token.
      const signOutTheirs = ok(await graphql(url, SIGN_OUT, { variables: { refreshToken: theirs.refreshToken }, token: (await newReader()).accessToken }));
      assert.equal(signOutTheirs.data!.signOut, true, "my own session ends");
      assert.equal(ok(await graphql(url, ME, { token: theirs.accessToken })).data!.me.id, theirs.user.id, "theirs does not");

      // Changing their review is FORBIDDEN.
      const review = ok(await graphql(url, `mutation { writeReview(bookId: "2", text: "Mine to keep") { id } }`, { token: theirs.accessToken })).data!.writeReview;
      assert.deepEqual(errorCodes(await graphql(url, `mutation { editReview(id: "${review.id}", text: "defaced") { id } }`, { token })), ["FORBIDDEN"]);
      assert.deepEqual(errorCodes(await graphql(url, `mutation { deleteReview(id: "${review.id}") }`, { token })), ["FORBIDDEN"]);

      // Admin-only things.
      const adminOnly = [
        `{ apiKeys { id } }`,
        `mutation { createApiKey(input: { name: "x", scopes: [], rateLimitPerMinute: 10 }) { key } }`,
        `mutation { revokeApiKey(id: "1") { id } }`,
        `mutation { deleteBook(id: "3") { id } }`,
        `mutation { createBook(input: { title: "Mine" }) { id } }`,
      ];
      for (const query of adminOnly) {
        assert.deepEqual(errorCodes(await graphql(url, query, { token })), ["FORBIDDEN"], query);
        assert.deepEqual(errorCodes(await graphql(url, query)), ["UNAUTHENTICATED"], `anonymous ${query}`);
      }
      assert.ok(await running.runtime.db.prisma.book.findUnique({ where: { id: 3 } }), "the book is still there");
    });

    it("ignores identity headers a client sends, at the gateway and at a subgraph directly", async () => {
      const secret = running.runtime.config.INTERNAL_SECRET;
      const adminIdentity = { kind: "user", id: "1", userId: 1, role: "ADMIN", scopes: [] } as const;
      const spoofs: Record<string, string>[] = [
        { "x-user-id": "1", "x-user-role": "ADMIN", "x-forwarded-user": "1", "x-remote-user": "1" },
        { [IDENTITY_HEADER]: JSON.stringify(adminIdentity) },
        { [IDENTITY_HEADER]: signIdentityHeader("a-different-secret-that-is-long-enough", adminIdentity) },
        // Correctly signed but for another purpose (a credential lookup), or expired.
        { [IDENTITY_HEADER]: signInternal(secret, "credential-lookup", { identity: adminIdentity }, 60) },
        { [IDENTITY_HEADER]: signInternal(secret, "identity", { identity: adminIdentity }, -120) },
      ];
      const users = running.supergraph.subgraphs.users.url;
      for (const headers of spoofs) {
        const viaGateway = await graphql(url, ME, { headers });
        assert.deepEqual(errorCodes(viaGateway), ["UNAUTHENTICATED"], JSON.stringify(headers));
        const direct = await graphql(users, `{ apiKeys { id } }`, { headers });
        assert.deepEqual(errorCodes(direct), ["UNAUTHENTICATED"], `direct ${JSON.stringify(headers)}`);
      }
      // A bearer token sent straight to a subgraph is not verified there: only the gateway's signed identity counts.
      const direct = await graphql(users, ME, { token: await tokenFor(1, "ADMIN") });
      assert.deepEqual(errorCodes(direct), ["UNAUTHENTICATED"]);
      // A spoofed header beside a real token changes nothing: the token's reader it is.
      const reader = await newReader();
      const mixed = ok(await graphql(url, ME, { token: reader.accessToken, headers: { [IDENTITY_HEADER]: signIdentityHeader(secret, adminIdentity), "x-user-id": "1" } }));
      assert.equal(mixed.data!.me.id, reader.user.id);
    });
  });
}
