import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { databaseTargets } from "./support/databases.ts";
import { errorCodes, graphql, type GraphQLResult } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const BOOKS_PAGE = /* GraphQL */ `
  query Books($filter: BookFilter, $orderBy: BookOrder, $first: Int, $after: String) {
    books(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      edges { cursor node { id title publicationYear language ratingsCount averageRating authors { id } genres { slug } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

interface BookNode {
  id: string;
  title: string;
  publicationYear: number | null;
  language: string | null;
  ratingsCount: number;
  averageRating: number;
  authors: { id: string }[];
  genres: { slug: string }[];
}

function assertOneError(result: GraphQLResult, code: string, field?: string): void {
  assert.deepEqual(errorCodes(result), [code], JSON.stringify(result.errors));
  if (field) assert.equal(result.errors![0]!.extensions?.field, field, JSON.stringify(result.errors));
}

for (const target of databaseTargets()) {
  describe(`books catalogue queries through the gateway (${target.name})`, () => {
    let running: TestSupergraph;
    let url: string;

    /** Every page of a listing, following endCursor until hasNextPage is false. */
    async function allPages(variables: Record<string, unknown>, first = 100): Promise<{ nodes: BookNode[]; totalCount: number; pages: number }> {
      const nodes: BookNode[] = [];
      let cursor: string | null = null;
      let totalCount = -1;
      let pages = 0;
      for (;;) {
        const result: GraphQLResult = await graphql(url, BOOKS_PAGE, { variables: { ...variables, first, after: cursor } });
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        const connection = result.data!.books;
        totalCount = connection.totalCount;
        nodes.push(...connection.edges.map((edge: { node: BookNode }) => edge.node));
        pages += 1;
        assert.ok(connection.edges.length <= first);
        if (!connection.pageInfo.hasNextPage) break;
        assert.equal(connection.edges.length, first, "only the last page may be short");
        cursor = connection.pageInfo.endCursor;
        assert.ok(pages < 50, "paging must end");
      }
      return { nodes, totalCount, pages };
    }

    before(async () => {
      running = await startTestSupergraph(target);
      url = running.gatewayUrl;
      // Books without a publication year must still be reachable when ordering by year.
      await running.runtime.db.prisma.book.updateMany({ where: { id: { in: [7, 8, 9] } }, data: { publicationYear: null } });
    });
    after(async () => {
      await running?.stop();
    });

    for (const field of ["RATINGS_COUNT", "AVERAGE_RATING", "PUBLICATION_YEAR", "TITLE"] as const) {
      for (const direction of ["ASC", "DESC"] as const) {
        it(`pages through the whole catalogue ordered by ${field} ${direction} without gaps or repeats`, async () => {
          const prisma = running.runtime.db.prisma;
          const column = { RATINGS_COUNT: "ratings_count", AVERAGE_RATING: "average_rating", PUBLICATION_YEAR: "publication_year", TITLE: "title" }[field];
          // The order the database itself gives in one unpaginated statement.
          const expected = await prisma.$queryRawUnsafe<{ id: number }[]>(
            `SELECT id FROM books ORDER BY ${column} ${direction} NULLS LAST, id ASC`,
          );
          const { nodes, totalCount, pages } = await allPages({ orderBy: { field, direction } }, 70);
          assert.equal(totalCount, 300);
          assert.ok(pages >= 5);
          assert.deepEqual(nodes.map((node) => Number(node.id)), expected.map((row) => row.id));
          if (field === "PUBLICATION_YEAR") {
            assert.deepEqual(nodes.slice(-3).map((node) => node.publicationYear), [null, null, null], "books without a year come last");
          }
          if (field === "RATINGS_COUNT" || field === "AVERAGE_RATING") {
            const values = nodes.map((node) => (field === "RATINGS_COUNT" ? node.ratingsCount : node.averageRating));
            const sorted = [...values].sort((a, b) => (direction === "ASC" ? a - b : b - a));
            assert.deepEqual(values, sorted);
          }
        });
      }
    }

    it("filters by genre, author, year range and language, and counts the matches", async () => {
      const prisma = running.runtime.db.prisma;
      const link = await prisma.bookGenre.findFirstOrThrow({ include: { genre: true }, orderBy: { bookId: "asc" } });
      const slug = link.genre.slug;
      const byGenre = await allPages({ filter: { genre: slug } });
      const genreCount = await prisma.book.count({ where: { genres: { some: { genreId: link.genreId } } } });
      assert.ok(genreCount > 0);
      assert.equal(byGenre.totalCount, genreCount);
      assert.equal(byGenre.nodes.length, genreCount);
      assert.ok(byGenre.nodes.every((node) => node.genres.some((genre) => genre.slug === slug)));

      const credit = await prisma.bookAuthor.findFirstOrThrow({ orderBy: { bookId: "asc" } });
      const byAuthor = await allPages({ filter: { author: String(credit.authorId) } });
      assert.equal(byAuthor.totalCount, await prisma.bookAuthor.count({ where: { authorId: credit.authorId } }));
      assert.ok(byAuthor.nodes.every((node) => node.authors.some((author) => author.id === String(credit.authorId))));

      const byYears = await allPages({ filter: { yearFrom: 1990, yearTo: 2005 } });
      assert.equal(byYears.totalCount, await prisma.book.count({ where: { publicationYear: { gte: 1990, lte: 2005 } } }));
      assert.ok(byYears.nodes.length > 0);
      assert.ok(byYears.nodes.every((node) => node.publicationYear !== null && node.publicationYear >= 1990 && node.publicationYear <= 2005));

      const language = (await prisma.book.findFirstOrThrow({ where: { language: { not: null } } })).language!;
      const byLanguage = await allPages({ filter: { language: language.toUpperCase() } });
      assert.equal(byLanguage.totalCount, await prisma.book.count({ where: { language } }));
      assert.ok(byLanguage.nodes.every((node) => node.language === language));

      const combined = await allPages({ filter: { genre: slug, yearFrom: 2000 }, orderBy: { field: "TITLE", direction: "ASC" } }, 5);
      assert.ok(combined.nodes.every((node) => node.genres.some((genre) => genre.slug === slug) && (node.publicationYear ?? 0) >= 2000));
      assert.equal(combined.totalCount, combined.nodes.length);

      const none = await graphql(url, BOOKS_PAGE, { variables: { filter: { genre: "no-such-genre" } } });
      assert.equal(none.data!.books.totalCount, 0);
      assert.deepEqual(none.data!.books.edges, []);
      assert.equal(none.data!.books.pageInfo.hasNextPage, false);
    });

    it("rejects bad listing arguments with BAD_USER_INPUT naming the field", async () => {
      assertOneError(await graphql(url, BOOKS_PAGE, { variables: { filter: { yearFrom: 2010, yearTo: 2000 } } }), "BAD_USER_INPUT", "filter.yearFrom");
      assertOneError(await graphql(url, BOOKS_PAGE, { variables: { first: 101 } }), "BAD_USER_INPUT", "first");
      assertOneError(await graphql(url, BOOKS_PAGE, { variables: { first: -1 } }), "BAD_USER_INPUT", "first");
      assertOneError(await graphql(url, BOOKS_PAGE, { variables: { filter: { language: "english!" } } }), "BAD_USER_INPUT", "filter.language");
      assertOneError(await graphql(url, BOOKS_PAGE, { variables: { filter: { author: "x" } } }), "BAD_USER_INPUT", "filter.author");
      assertOneError(await graphql(url, BOOKS_PAGE, { variables: { after: "garbage" } }), "BAD_USER_INPUT", "after");

      const page = await graphql(url, BOOKS_PAGE, { variables: { first: 2, orderBy: { field: "TITLE", direction: "ASC" } } });
      const titleCursor = page.data!.books.pageInfo.endCursor;
      const replayed = await graphql(url, BOOKS_PAGE, { variables: { first: 2, after: titleCursor, orderBy: { field: "RATINGS_COUNT", direction: "DESC" } } });
      assertOneError(replayed, "BAD_USER_INPUT", "after");
      const hundred = await graphql(url, BOOKS_PAGE, { variables: { first: 100 } });
      assert.equal(hundred.data!.books.edges.length, 100, "the cap itself is allowed");
    });

    it("finds a book by either ISBN form, typed with hyphens or spaces", async () => {
      const prisma = running.runtime.db.prisma;
      const book = await prisma.book.findFirstOrThrow({ where: { isbn10: { not: null }, isbn13: { not: null } } });
      const isbn13 = book.isbn13!;
      const isbn10 = book.isbn10!;
      const query = `query($isbn: String!) { bookByIsbn(isbn: $isbn) { id isbn10 isbn13 } }`;
      for (const typed of [isbn13, isbn10, `${isbn13.slice(0, 3)}-${isbn13.slice(3, 4)}-${isbn13.slice(4, 12)}-${isbn13.slice(12)}`, isbn10.split("").join(" ").toLowerCase()]) {
        const result = await graphql(url, query, { variables: { isbn: typed } });
        assert.equal(result.errors, undefined, `${typed}: ${JSON.stringify(result.errors)}`);
        assert.deepEqual(result.data!.bookByIsbn, { id: String(book.id), isbn10, isbn13 });
      }
      const wrongCheckDigit = `${isbn13.slice(0, 12)}${(Number(isbn13[12]) + 1) % 10}`;
      assertOneError(await graphql(url, query, { variables: { isbn: wrongCheckDigit } }), "BAD_USER_INPUT", "isbn");
      assertOneError(await graphql(url, query, { variables: { isbn: "not an isbn" } }), "BAD_USER_INPUT", "isbn");
      // A valid ISBN no book in the catalogue has (979 prefix: the seed does not use it).
      assertOneError(await graphql(url, query, { variables: { isbn: "979-10-90636-07-1" } }), "NOT_FOUND");
    });

    it("lists authors A-Z with a name query, and an author's books as a connection", async () => {
      const prisma = running.runtime.db.prisma;
      const authorsQuery = `query($q: String, $after: String) { authors(query: $q, first: 20, after: $after) {
        totalCount edges { node { id name } } pageInfo { hasNextPage endCursor } } }`;
      const names: string[] = [];
      let cursor: string | null = null;
      for (;;) {
        const result: GraphQLResult = await graphql(url, authorsQuery, { variables: { after: cursor } });
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        assert.equal(result.data!.authors.totalCount, await prisma.author.count());
        names.push(...result.data!.authors.edges.map((edge: { node: { name: string } }) => edge.node.name));
        if (!result.data!.authors.pageInfo.hasNextPage) break;
        cursor = result.data!.authors.pageInfo.endCursor;
      }
      const expected = await prisma.author.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }] });
      assert.deepEqual(names, expected.map((author) => author.name));

      const someone = expected[3]!;
      const fragment = someone.name.split(" ").at(-1)!.toLowerCase();
      const matching = await graphql(url, authorsQuery, { variables: { q: fragment } });
      assert.ok(matching.data!.authors.edges.some((edge: { node: { id: string } }) => edge.node.id === String(someone.id)));
      assert.ok(matching.data!.authors.edges.every((edge: { node: { name: string } }) => edge.node.name.toLowerCase().includes(fragment)));

      const credit = await prisma.bookAuthor.groupBy({ by: ["authorId"], _count: { _all: true }, orderBy: { _count: { bookId: "desc" } }, take: 1 });
      const authorId = credit[0]!.authorId;
      const bookCount = credit[0]!._count._all;
      assert.ok(bookCount >= 3, "the seed gives prolific authors several books");
      const authorBooks = `query($id: ID!, $after: String) { author(id: $id) { id name books(first: 2, after: $after) {
        totalCount edges { node { id ratingsCount authors { id } } } pageInfo { hasNextPage endCursor } } } }`;
      const seen: string[] = [];
      cursor = null;
      for (;;) {
        const result: GraphQLResult = await graphql(url, authorBooks, { variables: { id: String(authorId), after: cursor } });
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        const books = result.data!.author.books;
        assert.equal(books.totalCount, bookCount);
        for (const edge of books.edges) {
          assert.ok(edge.node.authors.some((author: { id: string }) => author.id === String(authorId)));
          seen.push(edge.node.id);
        }
        if (!books.pageInfo.hasNextPage) break;
        cursor = books.pageInfo.endCursor;
      }
      assert.equal(seen.length, bookCount);
      assert.equal(new Set(seen).size, bookCount);

      // Several authors in one response: each gets its own first page.
      const many = await graphql(url, `{ authors(first: 10) { edges { node { id books(first: 1) { totalCount edges { node { id } } } } } } }`);
      assert.equal(many.errors, undefined, JSON.stringify(many.errors));
      for (const edge of many.data!.authors.edges) {
        const count = await prisma.bookAuthor.count({ where: { authorId: Number(edge.node.id) } });
        assert.equal(edge.node.books.totalCount, count);
        assert.equal(edge.node.books.edges.length, Math.min(1, count));
      }

      assertOneError(await graphql(url, `{ author(id: "999999") { id } }`), "NOT_FOUND");
      // A missing book asked for fields of two subgraphs (both resolve Query.book): one NOT_FOUND, not one per subgraph.
      const missing = await graphql(url, `{ book(id: "999999") { title authors { name } similar(limit: 2) { book { id } } } }`);
      assertOneError(missing, "NOT_FOUND");
      assert.deepEqual(missing.data, { book: null });
      assertOneError(await graphql(url, `{ authors(first: 500) { totalCount } }`), "BAD_USER_INPUT", "first");
    });

    it("issues as many SQL statements for 20 authors' or search hits' nested books as for 5 (no N+1)", async () => {
      const books = running.runtime.db.clientFor("books");
      const statements = async (query: string, first: number) => {
        const before = books.statementCount();
        const result = await graphql(url, query, { variables: { first } });
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        return books.statementCount() - before;
      };
      const nested = `id title publisher { name } authors { id name } genres { id slug }`;
      const queries = {
        authors: `query($first: Int) { authors(first: $first) { edges { node { id books(first: 3) { totalCount edges { node { ${nested} } } } } } } }`,
        search: `query($first: Int) { searchBooks(query: "fiction", first: $first) { edges { node { score book { ${nested} } } } } }`,
        books: `query($first: Int) { books(first: $first, filter: { yearFrom: 1900 }, orderBy: { field: TITLE }) { edges { node { ${nested} authors { books(first: 2) { totalCount } } } } } }`,
      };
      for (const [name, query] of Object.entries(queries)) {
        await statements(query, 2); // warm-up
        const counts: number[] = [];
        for (const first of [5, 10, 20]) counts.push(await statements(query, first));
        assert.ok(counts.every((count) => count === counts[0]), `${name}: ${counts.join(", ")} statements for 5, 10, 20`);
        assert.ok(counts[0]! <= 12, `${name}: a handful of statements, not one per row (${counts[0]})`);
      }
    });

    it("lists every genre by name", async () => {
      const result = await graphql(url, `{ genres { id name slug } }`);
      assert.equal(result.errors, undefined);
      const genres = result.data!.genres as { name: string; slug: string }[];
      assert.equal(genres.length, await running.runtime.db.prisma.genre.count());
      assert.ok(genres.some((genre) => genre.slug === "science-fiction"));
      const expected = await running.runtime.db.prisma.genre.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }] });
      assert.deepEqual(genres.map((genre) => genre.name), expected.map((genre) => genre.name));
    });
  });
}
