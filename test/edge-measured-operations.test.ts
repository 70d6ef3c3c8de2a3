import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Supergraph } from "@apollo/federation-internals";
import { GraphQLError, Kind, parse, type DocumentNode, type OperationDefinitionNode } from "graphql";
import { checkOperation, operationLimitsFrom } from "../gateway/edge/operation-limits/limits.ts";
import { measuredOperations } from "../gateway/edge/operation-limits/measured-operations.ts";
import { loadConfig } from "../lib/config.ts";

const config = loadConfig({ NODE_ENV: "test" });
const schema = Supergraph.build(readFileSync(config.SUPERGRAPH_PATH, "utf8")).apiSchema().toGraphQLJSSchema();
const limits = operationLimitsFrom(config);
const operationOf = (document: DocumentNode) => document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof GraphQLError);
    return { code: error.extensions.code, message: error.message };
  }
  assert.fail("expected a refusal");
};

describe("operation checks remembered per document", () => {
  // One parsed document reused across requests, as Apollo's document store hands it out.
  const document = parse(`query Similar($id: ID!, $n: Int, $withScore: Boolean!) {
    book(id: $id) { title similar(limit: $n) { book { id title score @include(if: $withScore) } score } }
  }`);
  const operation = operationOf(document);
  const full = (variables: Record<string, unknown>) => checkOperation({ schema, document, operation, variables }, limits);

  it("gives the same cost as the full check for every request, whatever the variables", () => {
    const check = measuredOperations(limits);
    const requests = [
      { id: "1", n: 10, withScore: true },
      { id: "2", n: 10, withScore: true },
      { id: "3", n: 25, withScore: true },
      { id: "4", n: 10, withScore: false },
      { id: "5", withScore: true },
      { id: "6", n: null, withScore: true },
      { id: "7", n: 10, withScore: true },
    ];
    for (const variables of requests) assert.equal(check({ schema, document, operation, variables }), full(variables), JSON.stringify(variables));
  });

  it("refuses a remembered document whose new size variable costs too much, as the full check does", () => {
    const check = measuredOperations(limits);
    check({ schema, document, operation, variables: { id: "1", n: 10, withScore: true } });
    const huge = { id: "1", n: 1_000_000, withScore: true };
    assert.deepEqual(refusal(() => check({ schema, document, operation, variables: huge })), refusal(() => full(huge)));
  });

  it("refuses variables of the wrong type on a remembered document with the full check's message", () => {
    const check = measuredOperations(limits);
    check({ schema, document, operation, variables: { id: "1", n: 10, withScore: true } });
    const wrong = { id: { nested: true }, n: 10, withScore: true };
    const remembered = refusal(() => check({ schema, document, operation, variables: wrong }));
    assert.equal(remembered.code, "BAD_USER_INPUT");
    assert.deepEqual(remembered, refusal(() => full(wrong)));
  });

  it("refuses a document over a structural limit every time", () => {
    const check = measuredOperations({ ...limits, depth: 2 });
    for (let attempt = 0; attempt < 2; attempt++) {
      assert.equal(refusal(() => check({ schema, document, operation, variables: { id: "1", n: 1, withScore: true } })).code, "QUERY_TOO_COMPLEX");
    }
  });
});
