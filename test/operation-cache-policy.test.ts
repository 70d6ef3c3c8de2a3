import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { doNotCache } from "../lib/graphql/cache-hint.ts";
import { operationCacheControlPlugins } from "../lib/server/plugins/operation-cache-control.ts";

/**
 * Subgraphs work their Cache-Control out once per operation instead of through Apollo
 * Server's per-field plugin: over a schema using every kind of hint, both must send the
 * same header for the same operation.
 */
const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION

  type Book @key(fields: "id") @cacheControl(maxAge: 3600) {
    id: ID!
    title: String
    similar: [Recommendation!] @cacheControl(maxAge: 600)
    score: Float @cacheControl(maxAge: 0, scope: PRIVATE)
    shelf: Shelf
    volatile: [Book!]
  }
  type Recommendation {
    score: Float
    book: Book
    experiment: Experiment
  }
  type Experiment @key(fields: "key", resolvable: false) { key: String! }
  type Shelf @cacheControl(maxAge: 120, scope: PRIVATE) { name: String }
  type User @key(fields: "id") { id: ID! name: String @cacheControl(maxAge: 30) }
  type BookConnection @cacheControl(inheritMaxAge: true) { edges: [BookEdge!]! total: Int }
  type BookEdge @cacheControl(inheritMaxAge: true) { node: Book }
  type Query {
    book(id: ID!): Book @cacheControl(maxAge: 3600)
    books: BookConnection! @cacheControl(maxAge: 300)
    unhinted: BookConnection!
    me: User
    trending: [Book!]! @cacheControl(maxAge: 60)
    greeting: String
  }
`);

const book = (id: string) => ({ id, title: `Book ${id}` });
const resolvers = {
  Query: {
    book: (_: unknown, { id }: { id: string }) => book(id),
    books: () => ({ edges: [{ node: book("1") }], total: 1 }),
    unhinted: () => ({ edges: [{ node: book("2") }], total: 1 }),
    me: () => ({ id: "7", name: "Reader" }),
    trending: () => [book("3")],
    greeting: () => "hello",
  },
  Book: {
    __resolveReference: (reference: { id: string }) => book(reference.id),
    similar: () => [{ score: 0.5, book: book("9"), experiment: { key: "e" } }],
    score: () => 0.7,
    shelf: () => ({ name: "shelf" }),
    // A list the model switch must keep out of caches downstream: Apollo's plugin takes the
    // hint on the resolve info, ours on the request's context; each server sees only its own.
    volatile: (_: unknown, __: unknown, context: object, info: { cacheControl?: { setCacheHint(hint: { maxAge: number }): void } }) => {
      info.cacheControl?.setCacheHint({ maxAge: 0 });
      doNotCache(context);
      return [book("4")];
    },
  },
  User: { __resolveReference: (reference: { id: string }) => ({ id: reference.id, name: "Reader" }) },
};

const OPERATIONS: Record<string, string> = {
  "a book's own fields": `{ book(id: "1") { id title } }`,
  "the shortest field hint wins": `{ book(id: "1") { title similar { score book { id title } } } }`,
  "a PRIVATE max-age 0 field": `{ book(id: "1") { title score } }`,
  "a type's PRIVATE hint": `{ book(id: "1") { shelf { name } } }`,
  "a composite field without a hint": `{ book(id: "1") { similar { experiment { key } } } }`,
  "inheritMaxAge types under a hinted root": `{ books { total edges { node { id title } } } }`,
  "inheritMaxAge types under an unhinted root": `{ unhinted { total edges { node { id } } } }`,
  "a root scalar without a hint": `{ greeting }`,
  "an unhinted type": `{ me { id name } }`,
  "a list root": `{ trending { id title } }`,
  "entities of a hinted type": `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Book { id title similar { score book { id } } } } }`,
  "entities with a private field": `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Book { title score } } }`,
  "entities through a named fragment": `query ($r: [_Any!]!) { _entities(representations: $r) { ...Titles } } fragment Titles on Book { id title }`,
  "entities of an unhinted type": `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { name } } }`,
  "a resolver's doNotCache": `{ book(id: "1") { title volatile { id } } }`,
  "the operation named": `query A { greeting } query B { book(id: "1") { id } }`,
  "a meta field only": `{ __typename }`,
};

const representations = (operation: string) => (operation.includes("on User") ? [{ __typename: "User", id: "7" }] : [{ __typename: "Book", id: "1" }, { __typename: "Book", id: "2" }]);

async function headerFrom(server: ApolloServer, query: string): Promise<string | undefined> {
  const response = await server.executeOperation(
    { query, ...(query.includes("$r") ? { variables: { r: representations(query) } } : {}), ...(query.includes("query B") ? { operationName: "B" } : {}) },
    { contextValue: {} },
  );
  assert.equal(response.body.kind, "single");
  if (response.body.kind === "single") assert.equal(response.body.singleResult.errors, undefined, JSON.stringify(response.body.singleResult.errors));
  return response.http.headers.get("cache-control");
}

describe("a subgraph's Cache-Control worked out per operation", () => {
  it("is the header Apollo Server's per-field plugin sends, for every kind of hint", async () => {
    const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
    const apollo = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
    const ours = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled(), ...operationCacheControlPlugins(schema)] });
    await apollo.start();
    await ours.start();
    try {
      const seen = new Set<string>();
      for (const [name, query] of Object.entries(OPERATIONS)) {
        const expected = await headerFrom(apollo, query);
        assert.ok(expected, `${name}: Apollo sent no header`);
        // Twice: the second time the policy comes from the memo of the parsed document.
        assert.equal(await headerFrom(ours, query), expected, name);
        assert.equal(await headerFrom(ours, query), expected, `${name}, again`);
        seen.add(expected);
      }
      // The operations above exercise cacheable public and private answers and uncacheable ones.
      assert.deepEqual([...seen].sort(), ["max-age=120, private", "max-age=300, public", "max-age=3600, public", "max-age=60, public", "max-age=600, public", "no-store"]);
    } finally {
      await apollo.stop();
      await ours.stop();
    }
  });

  it("sends no-store for an answer with errors", async () => {
    const schema = buildSubgraphSchema({ typeDefs, resolvers: { ...resolvers, Query: { ...resolvers.Query, book: () => { throw new Error("gone"); } } } as never });
    const ours = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled(), ...operationCacheControlPlugins(schema)] });
    await ours.start();
    try {
      const response = await ours.executeOperation({ query: `{ book(id: "1") { id } }` }, { contextValue: {} });
      assert.equal(response.http.headers.get("cache-control"), "no-store");
    } finally {
      await ours.stop();
    }
  });
});
