import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { serverAudits } from "graphql-http";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

/**
 * The GraphQL over HTTP conformance audit of graphql-http against the gateway in
 * production mode. Its probes introspect (`__type`), which production allows only to
 * partner keys with the `introspection` scope: the audit calls with such a key.
 */
const PRODUCTION = {
  NODE_ENV: "production",
  JWT_SECRET: "graphql-http-audit-test-secret-0123456789abcdef",
  INTERNAL_SECRET: "graphql-http-audit-internal-secret-0123456789abcdef",
};

describe("the GraphQL over HTTP audit (graphql-http) in production mode, with an introspection-scoped partner key", () => {
  let running: TestSupergraph;
  let partnerKey: string;
  before(async () => {
    running = await startTestSupergraph(databaseTargets()[0]!, { books: 20, users: 10, seed: 3 }, PRODUCTION);
    const admin = await signAccessToken(running.runtime.config, { userId: 1, role: "ADMIN" });
    const created = await graphql(
      running.gatewayUrl,
      `mutation { createApiKey(input: { name: "Conformance audit", scopes: ["introspection"], rateLimitPerMinute: 100000 }) { key } }`,
      { token: admin },
    );
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    partnerKey = created.data!.createApiKey.key;
  });
  after(async () => {
    await running?.stop();
  });

  it("production refuses the audit's introspection without the key", async () => {
    const result = await graphql(running.gatewayUrl, `{ __type(name: "Query") { name } }`);
    assert.equal(result.status, 400);
  });

  const withKey: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("x-api-key", partnerKey);
    return fetch(input, { ...init, headers });
  };
  for (const audit of serverAudits({ url: () => running.gatewayUrl, fetchFn: withKey })) {
    it(audit.name, async () => {
      const result = await audit.fn();
      if (result.status === "ok" || result.status === "notice") return;
      const detail = `${result.reason}: ${JSON.stringify(await result.response.text().catch(() => "")).slice(0, 300)}`;
      // MUST-level audits are errors when they fail; SHOULD/MAY ones are warnings, reported but allowed.
      if (result.status === "warn") {
        process.stderr.write(`graphql-http audit warning: ${audit.name}: ${detail}\n`);
        return;
      }
      assert.fail(detail);
    });
  }
});
