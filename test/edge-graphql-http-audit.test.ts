import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { serverAudits } from "graphql-http";
import { databaseTargets } from "./support/databases.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

/**
 * The GraphQL over HTTP conformance audit of graphql-http against the gateway in
 * production mode. Its probes introspect (`__type`), which production refuses to
 * anonymous callers, so introspection is switched on here by configuration.
 */
const PRODUCTION = {
  NODE_ENV: "production",
  JWT_SECRET: "graphql-http-audit-test-secret-0123456789abcdef",
  GRAPHQL_INTROSPECTION: "true",
};

describe("the GraphQL over HTTP audit (graphql-http) in production mode", () => {
  let running: TestSupergraph;
  before(async () => {
    running = await startTestSupergraph(databaseTargets()[0]!, { books: 20, users: 10, seed: 3 }, PRODUCTION);
  });
  after(async () => {
    await running?.stop();
  });

  for (const audit of serverAudits({ url: () => running.gatewayUrl })) {
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
