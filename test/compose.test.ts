import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { buildSchema, isObjectType } from "graphql";
import { composeSupergraph, SUPERGRAPH_FILE } from "../schema/compose.ts";

describe("supergraph composition", () => {
  it("composes the four subgraph schemas", () => {
    const supergraph = composeSupergraph();
    for (const graph of ["USERS", "BOOKS", "RECOMMENDATIONS", "EXPERIMENTS"]) {
      assert.match(supergraph, new RegExp(`${graph} @join__graph\\(name: "${graph.toLowerCase()}"`));
    }
    const book = buildSchema(supergraph, { assumeValidSDL: true }).getType("Book");
    assert.ok(isObjectType(book) && book.getFields().similar, "Book.similar is contributed by recommendations");
  });

  it("matches the committed schema/supergraph.graphql (run `npm run compose` after changing a subgraph schema)", () => {
    assert.equal(readFileSync(SUPERGRAPH_FILE, "utf8"), composeSupergraph());
  });
});
