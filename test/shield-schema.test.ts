// The subgraphs' permission layer: shield's rules and deny-by-default, with only the
// fields whose rule can deny wrapped in its middleware.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { graphql, parse, type GraphQLResolveInfo } from "graphql";
import { allow, deny, rule } from "graphql-shield";
import { shieldSchema } from "../lib/auth/shield-schema.ts";
import { forbidden } from "../lib/errors.ts";

const typeDefs = `
  type Query { open: String guarded(ok: Boolean!): String unlisted: String shelf: Shelf }
  type Shelf { name: String secret: String }
`;
const resolvers = {
  Query: { open: () => "open", guarded: () => "guarded", unlisted: () => "unlisted", shelf: () => ({ name: "to read", secret: "s" }) },
};
const onlyWhenOk = rule({ cache: "no_cache" })(async (_parent, args: { ok: boolean }) => args.ok || forbidden("not ok"));

function build() {
  return shieldSchema(buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers }), { Query: { open: allow, guarded: onlyWhenOk, shelf: allow }, Shelf: { "*": allow, secret: deny } }, {
    allowExternalErrors: true,
    fallbackRule: deny,
    fallbackError: () => forbidden("This field is not open to you"),
  });
}

describe("shieldSchema", () => {
  it("leaves fields whose rule is allow unwrapped and guards every other field", () => {
    const schema = build();
    const fields = schema.getQueryType()!.getFields();
    const call = (name: string) => fields[name]!.resolve!({}, { ok: true }, {}, {} as GraphQLResolveInfo);
    assert.equal(call("open"), "open", "an allowed field answers straight from its resolver");
    assert.ok(call("guarded") instanceof Promise, "a guarded field goes through the rule");
    assert.ok(call("unlisted") instanceof Promise, "a field without a rule falls back to deny");
  });

  it("answers allowed fields, and denies with the rule's or the fallback's coded error", async () => {
    const schema = build();
    const allowed = await graphql({ schema, source: `{ open guarded(ok: true) shelf { name } }`, contextValue: {} });
    assert.deepEqual(allowed.errors, undefined);
    assert.deepEqual(JSON.parse(JSON.stringify(allowed.data)), { open: "open", guarded: "guarded", shelf: { name: "to read" } });
    const denied = await graphql({ schema, source: `{ guarded(ok: false) unlisted shelf { secret } }`, contextValue: {} });
    assert.deepEqual(
      denied.errors?.map((error) => [error.path?.join("."), error.extensions?.code]).sort(),
      [["guarded", "FORBIDDEN"], ["shelf.secret", "FORBIDDEN"], ["unlisted", "FORBIDDEN"]],
    );
  });
});
