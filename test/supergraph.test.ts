import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { databaseTargets } from "./support/databases.ts";
import { errorCodes, graphql, type GraphQLResult } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const FLAGSHIP = /* GraphQL */ `
  query Flagship($id: ID!) {
    book(id: $id) {
      id
      title
      authors { name }
      publicationYear
      similar(limit: 5) { book { id title } score }
    }
  }
`;

for (const target of databaseTargets()) {
  describe(`the supergraph through the gateway (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph;
    let url: string;
    const tokenFor = (userId: number, role: "READER" | "ADMIN" = "READER") =>
      signAccessToken(running.runtime.config, { userId, role });

    before(async () => {
      running = await startTestSupergraph(target);
      url = running.gatewayUrl;
    });
    after(async () => {
      await running?.stop();
    });

    it("answers the flagship query with a book, its authors and similar books in one round trip", async () => {
      const result = await graphql(url, FLAGSHIP, { variables: { id: "1" } });
      assert.equal(result.status, 200);
      assert.equal(result.errors, undefined);
      const book = result.data!.book;
      assert.equal(book.id, "1");
      assert.ok(book.title.length > 0);
      assert.ok(book.authors.length > 0 && book.authors.every((author: { name: string }) => author.name.length > 0));
      assert.equal(typeof book.publicationYear, "number");
      assert.ok(book.similar.length > 0 && book.similar.length <= 5, "the seeded ratings give book 1 neighbours");
      const scores = book.similar.map((entry: { score: number }) => entry.score);
      assert.deepEqual(scores, [...scores].sort((a, b) => b - a), "best first");
      for (const entry of book.similar) {
        assert.ok(entry.score > 0 && entry.score <= 1);
        assert.notEqual(entry.book.id, "1", "a book is not similar to itself");
        assert.ok(entry.book.title.length > 0, "titles come from the books subgraph");
      }
    });

    it("pages through the catalogue with opaque cursors, without gaps or repeats", async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let previousCount = Number.POSITIVE_INFINITY;
      for (let page = 0; page < 3; page += 1) {
        const result: GraphQLResult = await graphql(url, `query($after: String) { books(first: 10, after: $after) {
          totalCount edges { cursor node { id ratingsCount } } pageInfo { hasNextPage endCursor } } }`, { variables: { after } });
        assert.equal(result.errors, undefined);
        const connection = result.data!.books;
        assert.equal(connection.totalCount, 300);
        assert.equal(connection.edges.length, 10);
        for (const edge of connection.edges) {
          assert.ok(edge.node.ratingsCount <= previousCount, "most rated first");
          previousCount = edge.node.ratingsCount;
          seen.push(edge.node.id);
        }
        assert.equal(connection.pageInfo.hasNextPage, true);
        after = connection.pageInfo.endCursor;
      }
      assert.equal(new Set(seen).size, 30);
    });

    it("answers bad input with coded GraphQL errors, never a server error", async () => {
      const cases: [string, string][] = [
        [`{ book(id: "999999") { id } }`, "NOT_FOUND"],
        [`{ book(id: "abc") { id } }`, "BAD_USER_INPUT"],
        [`{ book(id: "-3") { id } }`, "BAD_USER_INPUT"],
        [`{ book(id: "1") { similar(limit: -1) { score } } }`, "BAD_USER_INPUT"],
        // Refused at the edge: its cost (10,000 × fields) is over MAX_QUERY_COST before the subgraph's own bound is reached.
        [`{ book(id: "1") { similar(limit: 10000) { score } } }`, "QUERY_TOO_COMPLEX"],
        [`{ books(first: 1000) { totalCount } }`, "BAD_USER_INPUT"],
        [`{ books(after: "not-a-cursor") { totalCount } }`, "BAD_USER_INPUT"],
        [`{ user(id: "0") { id } }`, "BAD_USER_INPUT"],
        [`{ experiment(key: "no such experiment!") { id } }`, "BAD_USER_INPUT"],
        [`{ experiment(key: "missing") { id } }`, "NOT_FOUND"],
        [`{ book(id: "1") { nope } }`, "GRAPHQL_VALIDATION_FAILED"],
        [`{ book(id: "1") { `, "GRAPHQL_PARSE_FAILED"],
      ];
      for (const [query, code] of cases) {
        const result = await graphql(url, query);
        assert.ok(result.status < 500, `${query} -> HTTP ${result.status}`);
        assert.deepEqual(errorCodes(result), [code], `${query} -> ${JSON.stringify(result.errors)}`);
        for (const error of result.errors!) assert.equal(error.extensions?.stacktrace, undefined);
      }
    });

    it("knows the signed-in reader and guards personal data", async () => {
      const anonymous = await graphql(url, `{ me { id } }`);
      assert.deepEqual(errorCodes(anonymous), ["UNAUTHENTICATED"]);

      const token = await tokenFor(2);
      const mine = await graphql(url, `{ me { id displayName email registeredAt } user(id: "3") { id displayName email } }`, { token });
      assert.equal(mine.data!.me.id, "2");
      assert.match(mine.data!.me.email, /@/);
      assert.ok(!Number.isNaN(Date.parse(mine.data!.me.registeredAt)));
      assert.equal(mine.data!.user.displayName.length > 0, true);
      assert.equal(mine.data!.user.email, null);
      assert.deepEqual(errorCodes(mine), ["FORBIDDEN"]);

      const admin = await graphql(url, `{ user(id: "3") { email } }`, { token: await tokenFor(1, "ADMIN") });
      assert.equal(admin.errors, undefined);
      assert.match(admin.data!.user.email, /@/);

      const forged = await graphql(url, `{ me { id } }`, { headers: { authorization: "Bearer not.a.token" } });
      assert.equal(forged.status, 401);
      assert.deepEqual(errorCodes(forged), ["UNAUTHENTICATED"]);
    });

    it("recommends unread books to the reader, and only to them", async () => {
      const token = await tokenFor(5);
      const result = await graphql(url, `{ me { id recommendations(limit: 10) { book { id title } score source } } }`, { token });
      assert.equal(result.errors, undefined);
      const recommendations = result.data!.me.recommendations;
      assert.equal(recommendations.length, 10);
      const rated = await running.runtime.db.prisma.rating.findMany({ where: { userId: 5 }, select: { bookId: true } });
      const ratedIds = new Set(rated.map((rating) => String(rating.bookId)));
      for (const recommendation of recommendations) {
        assert.ok(!ratedIds.has(recommendation.book.id), "already rated books are excluded");
        assert.ok(recommendation.score > 0 && recommendation.score <= 1);
      }
      const snooping = await graphql(url, `{ user(id: "6") { recommendations { score } } }`, { token });
      assert.deepEqual(errorCodes(snooping), ["FORBIDDEN"]);
    });

    it("lists experiments", async () => {
      const result = await graphql(url, `{ experiments { key name status variants { key weight config } } }`);
      assert.equal(result.errors, undefined);
      assert.ok(Array.isArray(result.data!.experiments));
    });

    it("carries the caller's request id through and echoes it", async () => {
      const result = await graphql(url, `{ book(id: "2") { title similar(limit: 1) { score } } }`, {
        headers: { "x-request-id": "trace-abc-123" },
      });
      assert.equal(result.headers.get("x-request-id"), "trace-abc-123");
      const generated = await graphql(url, `{ book(id: "2") { title } }`, { headers: { "x-request-id": "bad id with spaces" } });
      assert.match(generated.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    });

    it("serves the other subgraphs' data when one subgraph is down", async () => {
      await running.supergraph.subgraphs.recommendations.stop();
      const result = await graphql(url, FLAGSHIP, { variables: { id: "1" } });
      assert.equal(result.status, 200);
      assert.equal(result.data!.book.id, "1");
      assert.ok(result.data!.book.title.length > 0);
      assert.equal(result.data!.book.similar, null);
      assert.deepEqual(errorCodes(result), ["SERVICE_UNAVAILABLE"]);
      assert.match(result.errors![0]!.message, /recommendations/);
    });
  });
}
