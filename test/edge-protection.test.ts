import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { Supergraph } from "@apollo/federation-internals";
import { Kind, LoneAnonymousOperationRule, parse, specifiedRules, validate } from "graphql";
import { checkOperation, operationLimitsFrom } from "../gateway/edge/operation-limits/limits.ts";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { databaseTargets } from "./support/databases.ts";
import { errorCodes, graphql } from "./support/graphql-client.ts";
import { readmeOperations } from "./support/readme-queries.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

/** Production mode, as the issue's attacker found it, with the default limits. */
const PRODUCTION = {
  NODE_ENV: "production",
  JWT_SECRET: "edge-protection-test-secret-0123456789abcdef",
  INTERNAL_SECRET: "edge-protection-internal-secret-0123456789abcdef",
};

const nestedSimilar = (levels: number, limit: number, leaf = "id") => {
  let selection = leaf;
  for (let level = 0; level < levels; level += 1) selection = `similar(limit: ${limit}) { book { ${selection} } }`;
  return `{ book(id: "1") { ${selection} } }`;
};

interface RawAnswer {
  status: number;
  contentType: string | null;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await response.text();
  let parsed: RawAnswer["body"];
  try {
    parsed = JSON.parse(text) as RawAnswer["body"];
  } catch {
    assert.fail(`not a JSON answer (HTTP ${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, contentType: response.headers.get("content-type"), body: parsed };
}

/** The hostile requests the project keeps: each must get a coded 4xx, nothing internal. */
const HOSTILE: { name: string; body: () => string; headers?: Record<string, string>; status: number; code: string; limit?: string }[] = [
  {
    name: "a subscription sent over HTTP",
    body: () => JSON.stringify({ query: `subscription { trendingChanged(window: DAY, limit: 5) { window } }` }),
    status: 400,
    code: "BAD_REQUEST",
  },
  { name: "40 levels of similar(limit: 2)", body: () => JSON.stringify({ query: nestedSimilar(40, 2) }), status: 400, code: "QUERY_TOO_COMPLEX", limit: "depth" },
  { name: "three similar(limit: 50) levels (125,000 books)", body: () => JSON.stringify({ query: nestedSimilar(3, 50, "id title") }), status: 400, code: "QUERY_TOO_COMPLEX", limit: "cost" },
  {
    name: "the cost hidden in a variable",
    body: () => JSON.stringify({ query: `query($n: Int) { book(id: "1") { similar(limit: $n) { book { similar(limit: $n) { book { id title } } } } } }`, variables: { n: 50 } }),
    status: 400,
    code: "QUERY_TOO_COMPLEX",
    limit: "cost",
  },
  {
    name: "2,000 aliases of book(id: \"1\")",
    body: () => JSON.stringify({ query: `{ ${Array.from({ length: 2000 }, (_, i) => `b${i}: book(id: "1") { id }`).join(" ")} }` }),
    status: 400,
    code: "QUERY_TOO_COMPLEX",
    limit: "tokens",
  },
  {
    name: "100 aliases (under the token limit)",
    body: () => JSON.stringify({ query: `{ ${Array.from({ length: 100 }, (_, i) => `b${i}: book(id: "1") { id }`).join(" ")} }` }),
    status: 400,
    code: "QUERY_TOO_COMPLEX",
    limit: "aliases",
  },
  {
    name: "wide: 40 root fields",
    body: () => JSON.stringify({ query: `{ ${Array.from({ length: 40 }, () => `genres { name }`).join(" ")} }` }),
    status: 400,
    code: "QUERY_TOO_COMPLEX",
    limit: "rootFields",
  },
  {
    name: "a directive flood",
    body: () => JSON.stringify({ query: `{ book(id: "1") { ${Array.from({ length: 100 }, () => "id @include(if: true)").join(" ")} } }` }),
    status: 400,
    code: "QUERY_TOO_COMPLEX",
    limit: "directives",
  },
  {
    name: "a fragment bomb",
    body: () => {
      const fragments = Array.from({ length: 20 }, (_, i) => `fragment F${i} on Book { ${i === 19 ? "id title" : `...F${i + 1} ... on Book { ...F${i + 1} }`} }`);
      return JSON.stringify({ query: `{ book(id: "1") { ...F0 } } ${fragments.join(" ")}` });
    },
    status: 400,
    code: "QUERY_TOO_COMPLEX",
  },
  { name: "a body over 1 MB", body: () => JSON.stringify({ query: "{ genres { name } }", variables: { pad: "x".repeat(1_100_000) } }), status: 413, code: "BAD_REQUEST" },
  {
    name: "huge variables of the wrong type",
    body: () => JSON.stringify({ query: `query($id: ID!) { book(id: $id) { id } }`, variables: { id: Array.from({ length: 50_000 }, () => ({ a: [1, 2, 3] })) } }),
    status: 400,
    code: "BAD_USER_INPUT",
  },
  { name: "bad bytes (NUL) in a search", body: () => JSON.stringify({ query: `{ searchBooks(query: "har\\u0000ry") { totalCount } }` }), status: 400, code: "BAD_USER_INPUT" },
  { name: "an id out of range", body: () => JSON.stringify({ query: `{ books(first: 99999999999) { totalCount } }` }), status: 400, code: "GRAPHQL_VALIDATION_FAILED" },
  { name: "an unknown operationName", body: () => JSON.stringify({ query: `query A { genres { name } }`, operationName: "B" }), status: 400, code: "BAD_REQUEST" },
  { name: "several operations and no operationName", body: () => JSON.stringify({ query: `query A { genres { name } } query B { genres { name } }` }), status: 400, code: "BAD_REQUEST" },
  { name: "a body that is not JSON", body: () => `{"query": "{ genres { name } }"`, status: 400, code: "BAD_REQUEST" },
  { name: "a document that does not parse", body: () => JSON.stringify({ query: "{ book(id: " }), status: 400, code: "GRAPHQL_PARSE_FAILED" },
  { name: "no query at all", body: () => JSON.stringify({ variables: {} }), status: 400, code: "BAD_REQUEST" },
  { name: "introspection in production", body: () => JSON.stringify({ query: "{ __schema { types { name } } }" }), status: 400, code: "GRAPHQL_VALIDATION_FAILED" },
  {
    name: "a forged bearer token",
    body: () => JSON.stringify({ query: "{ me { id } }" }),
    headers: { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwicm9sZSI6IkFETUlOIn0." },
    status: 401,
    code: "UNAUTHENTICATED",
  },
];

for (const target of databaseTargets()) {
  describe(`the edge refuses hostile requests in production mode (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph;

    before(async () => {
      running = await startTestSupergraph(target, undefined, PRODUCTION);
    });
    after(async () => {
      await running?.stop();
    });

    it("lets every operation of the README through the default limits", async () => {
      const token = await signAccessToken(running.runtime.config, { userId: 1, role: "READER" });
      const { queries, others } = readmeOperations();
      assert.ok(queries.length >= 3, "the README shows its queries");
      // Queries run for real, signed in: none is refused, none has an error.
      for (const operation of queries) {
        const result = await graphql(running.gatewayUrl, operation, { token });
        assert.equal(result.status, 200, `${operation}\n${JSON.stringify(result.errors)}`);
        assert.deepEqual(errorCodes(result), [], operation);
        assert.ok(result.data, operation);
      }
      // Mutations and subscriptions (examples with placeholders) are measured against the same limits without running.
      const schema = Supergraph.build(readFileSync(running.runtime.config.SUPERGRAPH_PATH, "utf8")).apiSchema().toGraphQLJSSchema();
      const limits = operationLimitsFrom(running.runtime.config);
      for (const operation of others) {
        const document = parse(operation, { maxTokens: limits.tokens });
        // Examples may show several operations side by side, one of them anonymous.
        assert.deepEqual(validate(schema, document, specifiedRules.filter((rule) => rule !== LoneAnonymousOperationRule)), [], operation);
        for (const definition of document.definitions) {
          if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
          assert.doesNotThrow(() => checkOperation({ schema, document, operation: definition, variables: {} }, limits), operation);
        }
      }
    });

    for (const hostile of HOSTILE) {
      it(`answers ${hostile.name} with ${hostile.code} (HTTP ${hostile.status})`, async () => {
        const answer = await post(running.gatewayUrl, hostile.body(), hostile.headers);
        assert.equal(answer.status, hostile.status, JSON.stringify(answer.body).slice(0, 300));
        assert.match(answer.contentType ?? "", /json/);
        const codes = (answer.body.errors ?? []).map((error) => error.extensions?.code);
        assert.ok(codes.length > 0 && codes.every((code) => code === hostile.code), `got ${codes.join(", ")}`);
        for (const error of answer.body.errors ?? []) {
          assert.doesNotMatch(error.message, /prisma|\$queryRaw|SELECT|invocation|at .*\.ts:\d+/i, "nothing internal in a message");
          assert.equal(error.extensions?.stacktrace, undefined);
        }
        if (hostile.code === "QUERY_TOO_COMPLEX") {
          const extensions = answer.body.errors![0]!.extensions!;
          if (hostile.limit) assert.equal(extensions.limit, hostile.limit);
          assert.equal(typeof extensions.maximum, "number");
          assert.ok(extensions.measured === null || (extensions.measured as number) > (extensions.maximum as number), "measured above the maximum");
        }
      });
    }

    it("ignores identity headers a client sends itself", async () => {
      for (const header of ["x-user-id", "x-viewer-id", "x-shelfgraph-identity", "x-shelfgraph-viewer"]) {
        const result = await graphql(running.gatewayUrl, "{ me { id } }", { headers: { [header]: "1" } });
        assert.equal(result.data?.me ?? null, null, `${header} must not sign anyone in`);
      }
    });

    it("keeps answering, below 1 GB, after the whole hostile set", async () => {
      for (let round = 0; round < 3; round += 1) {
        await Promise.all(HOSTILE.map((hostile) => post(running.gatewayUrl, hostile.body(), hostile.headers)));
      }
      const result = await graphql(running.gatewayUrl, `{ book(id: "1") { id title } }`);
      assert.equal(result.status, 200);
      assert.equal(result.data?.book?.id, "1");
      const rss = process.memoryUsage().rss;
      assert.ok(rss < 1024 ** 3, `resident memory ${Math.round(rss / 1024 ** 2)} MB`);
    });
  });
}
