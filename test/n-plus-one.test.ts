import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SubgraphName } from "../lib/config.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const NESTED = /* GraphQL */ `
  query Nested($first: Int!) {
    books(first: $first) {
      edges { node {
        id title
        authors { id name }
        genres { id name }
        reviews(first: 3) { totalCount edges { node { id text rating author { id displayName } } } }
      } }
    }
  }
`;

const SUBGRAPHS: SubgraphName[] = ["users", "books", "recommendations", "experiments"];
/**
 * The subgraphs this query plan calls. The others are reported but not asserted:
 * they run background work on their own clients (recommendations flushes its log on
 * a timer and reacts to interaction events), which has nothing to do with the request.
 */
const QUERIED: SubgraphName[] = ["books", "users"];
const PAGE_SIZES = [5, 10, 20];
const REVIEWS_PER_BOOK = 4;

for (const target of databaseTargets()) {
  describe(`no N+1 through the gateway (${target.name})`, () => {
    let running: TestSupergraph;
    let url: string;

    before(async () => {
      running = await startTestSupergraph(target, { books: 40, users: 30, seed: 3 });
      url = running.gatewayUrl;
      // The seed writes no reviews: give each of the first 20 books a few, by different readers.
      const listed = await graphql(url, `{ books(first: 20) { edges { node { id } } } }`);
      const bookIds: number[] = listed.data!.books.edges.map((edge: { node: { id: string } }) => Number(edge.node.id));
      const readers = await running.runtime.db.prisma.user.findMany({ orderBy: { id: "asc" }, take: 10, select: { id: true } });
      await running.runtime.db.prisma.review.createMany({
        data: bookIds.flatMap((bookId, book) =>
          Array.from({ length: REVIEWS_PER_BOOK }, (_, index) => ({
            bookId,
            userId: readers[(book + index) % readers.length]!.id,
            text: `Review ${index + 1} of book ${bookId}`,
            rating: (index % 5) + 1,
          })),
        ),
      });
    });
    after(async () => {
      await running?.stop();
    });

    /** SQL statements each subgraph issued while the gateway answered one request. */
    async function statementsPerSubgraph(first: number) {
      const counters = SUBGRAPHS.map((name) => running.runtime.db.clientFor(name));
      const before = counters.map((counter) => counter.statementCount());
      const result = await graphql(url, NESTED, { variables: { first } });
      const after = counters.map((counter) => counter.statementCount());
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      const books = result.data!.books.edges.map((edge: any) => edge.node);
      assert.equal(books.length, first);
      for (const book of books) {
        assert.ok(book.authors.length > 0 && book.genres.length > 0);
        assert.equal(book.reviews.totalCount, REVIEWS_PER_BOOK);
        assert.equal(book.reviews.edges.length, 3);
        for (const { node } of book.reviews.edges) assert.ok(node.author.displayName.length > 0);
      }
      return Object.fromEntries(SUBGRAPHS.map((name, index) => [name, after[index]! - before[index]!])) as Record<SubgraphName, number>;
    }

    it("counts every statement a client sends, inside transactions too, and would see an N+1", async () => {
      const probe = running.runtime.db.clientFor("n-plus-one-probe");
      assert.equal(running.runtime.db.clientFor("n-plus-one-probe"), probe, "one client per name");
      const start = probe.statementCount();
      const ids = (await probe.prisma.book.findMany({ take: 5, select: { id: true } })).map((book) => book.id);
      for (const id of ids) await probe.prisma.book.findUnique({ where: { id } });
      assert.equal(probe.statementCount() - start, 1 + ids.length, "one per query: a per-row loop shows up");
      const beforeTransaction = probe.statementCount();
      await probe.prisma.$transaction(async (tx) => {
        await tx.book.count();
        await tx.$executeRaw`UPDATE books SET updated_at = updated_at WHERE id = ${ids[0]!}`;
      });
      assert.equal(probe.statementCount() - beforeTransaction, 2);
    });

    it("issues the same number of SQL statements per subgraph for 5, 10 and 20 books with authors, genres, reviews and reviewers", async (t) => {
      await statementsPerSubgraph(2); // warm-up: connections and prepared plans are not the point
      const counts: Record<SubgraphName, number>[] = [];
      for (const first of PAGE_SIZES) counts.push(await statementsPerSubgraph(first));
      PAGE_SIZES.forEach((first, index) => t.diagnostic(`first: ${first} -> ${JSON.stringify(counts[index])}`));
      for (const name of QUERIED) {
        const perSize = counts.map((count) => count[name]);
        assert.ok(perSize.every((count) => count === perSize[0]), `${name} issued ${perSize.join(", ")} statements for ${PAGE_SIZES.join(", ")} books`);
      }
      assert.ok(counts[0]!.books > 0 && counts[0]!.users > 0, "both subgraphs took part (the counters see their statements)");
      assert.ok(counts[0]!.books + counts[0]!.users <= 12, `a handful of statements in all, not one per row: ${JSON.stringify(counts[0])}`);
    });
  });
}
