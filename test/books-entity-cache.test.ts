import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { publishCatalogueChanged } from "../lib/events/catalogue-changed.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const TITLE = `query Title($id: ID!) { book(id: $id) { title } }`;
const STATS = `query Stats($id: ID!) { book(id: $id) { title ratingsCount } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateBookInput!) { updateBook(id: $id, input: $input) { id title } }`;
const ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Book { id title } } }`;

for (const target of databaseTargets()) {
  describe(`books entity cache (${target.name})`, () => {
    let running: TestSupergraph;
    let admin: string;
    let reader: string;
    const booksStatements = () => running.runtime.db.clientFor("books").statementCount();
    // Signed in: the gateway's response cache (off in tests anyway) never answers these.
    const title = (id: number) => graphql(running.gatewayUrl, TITLE, { token: reader, variables: { id: String(id) } });
    const titleOf = async (id: number) => {
      const result = await title(id);
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      return result.data!.book as { title: string };
    };
    const ratingsCountOf = async (id: number) => {
      const result = await graphql(running.gatewayUrl, STATS, { token: reader, variables: { id: String(id) } });
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      return (result.data!.book as { ratingsCount: number }).ratingsCount;
    };
    /** Lets a change on the bus reach the subscriber (Redis pub/sub is asynchronous) before asserting. */
    const eventually = async (check: () => Promise<boolean>) => {
      for (let attempt = 0; attempt < 50 && !(await check()); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(await check());
    };

    before(async () => {
      running = await startTestSupergraph(target, { books: 60, users: 10, seed: 5 });
      admin = await signAccessToken(running.runtime.config, { userId: 1, role: "ADMIN" });
      reader = await signAccessToken(running.runtime.config, { userId: 2, role: "READER" });
    });
    after(async () => {
      await running?.stop();
    });

    it("answers a repeated book lookup through the gateway without a SQL statement", async () => {
      const first = booksStatements();
      await titleOf(3);
      assert.ok(booksStatements() > first, "the first lookup reads the database");
      const warm = booksStatements();
      await titleOf(3);
      await titleOf(3);
      assert.equal(booksStatements() - warm, 0, "repeated lookups are served from the cache");
    });

    it("answers an entity batch whose books are all cached without a round trip, and reads only the missing ones", async () => {
      const representations = (ids: number[]) => ids.map((id) => ({ __typename: "Book", id: String(id) }));
      const entities = (ids: number[]) => graphql(running.supergraph.subgraphs.books.url, ENTITIES, { variables: { representations: representations(ids) } });
      const cold = booksStatements();
      const first = await entities([10, 11, 12]);
      assert.equal(first.errors, undefined, JSON.stringify(first.errors));
      assert.equal(booksStatements() - cold, 1, "one statement for the batch");
      const warm = booksStatements();
      const again = await entities([12, 10, 11]);
      assert.deepEqual(again.data!._entities.map((book: { id: string }) => book.id), ["12", "10", "11"]);
      assert.equal(booksStatements() - warm, 0);
      const mixed = booksStatements();
      const partly = await entities([10, 13, 11]);
      assert.deepEqual(partly.data!._entities.map((book: { id: string }) => book.id), ["10", "13", "11"]);
      assert.equal(booksStatements() - mixed, 1, "the missing book in one statement");
    });

    it("serves a changed title right after updateBook", async () => {
      const before = await titleOf(5);
      const updated = await graphql(running.gatewayUrl, UPDATE, { token: admin, variables: { id: "5", input: { title: `${before.title} (revised)` } } });
      assert.equal(updated.errors, undefined, JSON.stringify(updated.errors));
      assert.equal((await titleOf(5)).title, `${before.title} (revised)`);
    });

    it("forgets its rows when another instance announces a catalogue change", async () => {
      const before = await titleOf(7);
      // Another books instance's mutation: the row changes underneath this instance, which still serves its copy...
      await running.runtime.db.prisma.book.update({ where: { id: 7 }, data: { title: "Changed elsewhere" } });
      assert.equal((await titleOf(7)).title, before.title);
      // ...until the change is announced on the bus.
      await publishCatalogueChanged(running.runtime.pubsub, "updateBook", running.runtime.logger);
      await eventually(async () => (await titleOf(7)).title === "Changed elsewhere");
    });

    it("reads a cached book's rating aggregates fresh, so a rating's effect shows at once", async () => {
      const before = await ratingsCountOf(8);
      await titleOf(8);
      // The users subgraph moves these with every rating (or its removal, which announces nothing).
      await running.runtime.db.prisma.book.update({ where: { id: 8 }, data: { ratingsCount: before + 1 } });
      assert.equal(await ratingsCountOf(8), before + 1);
      const warm = booksStatements();
      await titleOf(8);
      assert.equal(booksStatements() - warm, 0, "the title still comes from the cache");
    });
  });
}
