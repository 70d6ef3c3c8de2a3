import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { databaseTargets } from "./support/databases.ts";
import { errorCodes, graphql, type GraphQLResult } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const SEARCH = /* GraphQL */ `
  query Search($query: String!, $first: Int, $after: String) {
    searchBooks(query: $query, first: $first, after: $after) {
      totalCount
      edges { cursor node { score book { id title authors { name } } highlights { title snippet } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

interface Hit {
  score: number;
  book: { id: string; title: string; authors: { name: string }[] };
  highlights: { title: string; snippet: string | null };
}

const CREATE = /* GraphQL */ `mutation($input: CreateBookInput!) { createBook(input: $input) { id } }`;

// Real titles the generated demo catalogue cannot contain, added through the API like staff would.
const FIXTURES = [
  {
    title: "Harry Potter and the Philosopher's Stone",
    authors: [{ name: "J. K. Rowling" }],
    genres: [{ name: "Wizarding Adventures" }],
    description: "Harry Potter has never even heard of Hogwarts when the letters start dropping on the doormat at number four, Privet Drive.",
  },
  { title: "The Hobbit", authors: [{ name: "J. R. R. Tolkien" }], description: "Bilbo Baggins is a hobbit who enjoys a comfortable life, until the wizard Gandalf arrives." },
  { title: "The Hobbit Companion", authors: [{ name: "David Day" }] },
  { title: "There and Back Again: A Hobbit's Tale", authors: [{ name: "Anonymous Scribe" }] },
  { title: "Cats <and> Dogs & Other \"Friends\"", authors: [{ name: "Ada Markup" }], description: "A book about cats and <b>dogs</b>." },
];

for (const target of databaseTargets()) {
  describe(`searchBooks through the gateway (${target.name})`, () => {
    let running: TestSupergraph;
    let url: string;
    const ids = new Map<string, string>();

    async function search(query: string, first = 10, after?: string): Promise<GraphQLResult> {
      return graphql(url, SEARCH, { variables: { query, first, after } });
    }
    async function hits(query: string, first = 10): Promise<Hit[]> {
      const result = await search(query, first);
      assert.equal(result.errors, undefined, `${query}: ${JSON.stringify(result.errors)}`);
      return result.data!.searchBooks.edges.map((edge: { node: Hit }) => edge.node);
    }

    before(async () => {
      running = await startTestSupergraph(target);
      url = running.gatewayUrl;
      const token = await signAccessToken(running.runtime.config, { userId: 1, role: "ADMIN" });
      for (const input of FIXTURES) {
        const created = await graphql(url, CREATE, { token, variables: { input } });
        assert.equal(created.errors, undefined, JSON.stringify(created.errors));
        ids.set(input.title, created.data!.createBook.id);
      }
    });
    after(async () => {
      await running?.stop();
    });

    it("finds a book by its title and ranks the exact title first", async () => {
      const found = await hits("Harry Potter and the Philosopher's Stone");
      assert.equal(found[0]?.book.id, ids.get("Harry Potter and the Philosopher's Stone"));

      const hobbit = await hits("The Hobbit");
      assert.equal(hobbit[0]?.book.title, "The Hobbit", "the exact title beats longer titles containing it");
      const titles = hobbit.map((hit) => hit.book.title);
      assert.ok(titles.includes("The Hobbit Companion"));
      assert.ok(titles.includes("There and Back Again: A Hobbit's Tale"), "stemming: Hobbit's matches hobbit");
      const scores = hobbit.map((hit) => hit.score);
      assert.deepEqual(scores, [...scores].sort((a, b) => b - a), "best first");
      assert.ok(scores.every((score) => score > 0 && score <= 1));
    });

    it("finds books by author name and by genre/tag", async () => {
      const byAuthor = await hits("rowling");
      assert.equal(byAuthor[0]?.book.id, ids.get("Harry Potter and the Philosopher's Stone"));
      const tolkien = await hits("Tolkien");
      assert.equal(tolkien[0]?.book.title, "The Hobbit");

      const byTag = await hits("wizarding adventures");
      assert.equal(byTag[0]?.book.id, ids.get("Harry Potter and the Philosopher's Stone"));

      // A seeded genre: every hit for it carries that genre (or mentions it in title or description).
      const prisma = running.runtime.db.prisma;
      const genreBooks = await prisma.book.count({ where: { genres: { some: { genre: { slug: "horror" } } } } });
      assert.ok(genreBooks > 0);
      const horror = await search("horror", 100);
      assert.ok(horror.data!.searchBooks.totalCount >= genreBooks, "all books tagged horror are found");
    });

    it("tolerates typos in titles and author names", async () => {
      const potter = await hits("hary poter");
      assert.equal(potter[0]?.book.id, ids.get("Harry Potter and the Philosopher's Stone"));
      const hobbit = await hits("teh hobit");
      assert.equal(hobbit[0]?.book.title, "The Hobbit");
      const author = await hits("rowlng");
      assert.equal(author[0]?.book.id, ids.get("Harry Potter and the Philosopher's Stone"));
    });

    it("highlights the matched words in the title and a description snippet, HTML-escaped", async () => {
      const [hit] = await hits("potter hogwarts");
      assert.ok(hit);
      assert.equal(hit.highlights.title, "Harry <mark>Potter</mark> and the Philosopher's Stone");
      assert.match(hit.highlights.snippet ?? "", /<mark>Hogwarts<\/mark>/);

      const [fuzzy] = await hits("hary poter");
      assert.match(fuzzy!.highlights.title, /<mark>Harry<\/mark> <mark>Potter<\/mark>/, "typed words close to title words are marked");

      const [escaped] = await hits("cats dogs");
      assert.equal(escaped?.book.id, ids.get('Cats <and> Dogs & Other "Friends"'));
      assert.equal(escaped!.highlights.title, "<mark>Cats</mark> &lt;and&gt; <mark>Dogs</mark> &amp; Other &quot;Friends&quot;");
      assert.ok(!escaped!.highlights.snippet!.includes("<b>"), "markup from the data never reaches the client unescaped");

      const [noDescription] = await hits("Hobbit Companion");
      assert.equal(noDescription?.book.title, "The Hobbit Companion");
      assert.equal(noDescription!.highlights.snippet, null);
    });

    it("pages through many hits with cursors, best first, without repeats", async () => {
      const first = await search("fiction", 7);
      assert.equal(first.errors, undefined, JSON.stringify(first.errors));
      const total = first.data!.searchBooks.totalCount;
      assert.ok(total > 20, `a broad query matches many books (got ${total})`);
      const seen: string[] = [];
      let previous = Number.POSITIVE_INFINITY;
      let page: GraphQLResult = first;
      for (let guard = 0; guard < 100; guard += 1) {
        const connection = page.data!.searchBooks;
        assert.equal(connection.totalCount, total);
        for (const edge of connection.edges) {
          assert.ok(edge.node.score <= previous, "scores never increase across pages");
          previous = edge.node.score;
          seen.push(edge.node.book.id);
        }
        if (!connection.pageInfo.hasNextPage) break;
        page = await search("fiction", 7, connection.pageInfo.endCursor);
        assert.equal(page.errors, undefined, JSON.stringify(page.errors));
      }
      assert.equal(seen.length, total);
      assert.equal(new Set(seen).size, total);
    });

    it("keeps the search document current when a book changes", async () => {
      const token = await signAccessToken(running.runtime.config, { userId: 1, role: "ADMIN" });
      const id = ids.get("The Hobbit Companion")!;
      const updated = await graphql(url, `mutation($id: ID!) { updateBook(id: $id, input: { title: "Middle-earth Gazetteer", authors: [{ name: "Karen Wynn Fonstad" }] }) { id } }`, {
        token,
        variables: { id },
      });
      assert.equal(updated.errors, undefined, JSON.stringify(updated.errors));
      assert.equal((await hits("gazetteer"))[0]?.book.id, id);
      assert.equal((await hits("fonstad"))[0]?.book.id, id);
      assert.ok(!(await hits("hobbit companion")).some((hit) => hit.book.id === id && hit.highlights.title.includes("Companion")));
      assert.ok(!(await hits("david day")).some((hit) => hit.book.id === id), "the replaced author no longer finds it");
    });

    it("follows author and genre renames made by any writer, and leaves books untouched when nothing changed", async () => {
      const prisma = running.runtime.db.prisma;
      const id = Number(ids.get("Harry Potter and the Philosopher's Stone"));
      const author = await prisma.author.findFirstOrThrow({ where: { name: "J. K. Rowling" } });
      await prisma.author.update({ where: { id: author.id }, data: { name: "Robert Galbraith" } });
      const galbraith = await hits("galbraith");
      assert.equal(galbraith[0]?.book.id, String(id), JSON.stringify(galbraith.slice(0, 3)));
      const genre = await prisma.genre.findFirstOrThrow({ where: { name: "Wizarding Adventures" } });
      await prisma.genre.update({ where: { id: genre.id }, data: { name: "Quidditchesque Lore" } });
      const lore = await hits("quidditchesque lore");
      assert.equal(lore[0]?.book.id, String(id), JSON.stringify(lore.slice(0, 3)));
      assert.ok(!(await hits("wizarding adventures")).some((hit) => hit.book.id === String(id) && hit.score > 0.3));

      // Rewriting identical links (what a re-import does) must not rewrite the book row.
      const version = async () => (await prisma.$queryRawUnsafe<{ v: string }[]>(`SELECT xmin::text AS v FROM books WHERE id = ${id}`))[0]!.v;
      const before = await version();
      await prisma.$executeRawUnsafe(`UPDATE book_genres SET weight = weight + 1 WHERE book_id = ${id}`);
      await prisma.$executeRawUnsafe(`UPDATE book_authors SET position = position WHERE book_id = ${id}`);
      assert.equal(await version(), before);
    });

    it("rejects empty, blank and overlong queries and bad paging with BAD_USER_INPUT", async () => {
      for (const [query, field] of [["", "query"], ["   \t ", "query"], ["x".repeat(201), "query"]] as const) {
        const result = await search(query);
        assert.deepEqual(errorCodes(result), ["BAD_USER_INPUT"], JSON.stringify(result.errors));
        assert.equal(result.errors![0]!.extensions?.field, field);
      }
      assert.equal((await search("x".repeat(200))).errors, undefined, "200 characters are allowed");
      const tooMany = await search("hobbit", 101);
      assert.deepEqual(errorCodes(tooMany), ["BAD_USER_INPUT"]);
      const page = await search("hobbit", 1);
      const foreign = await search("potter", 1, page.data!.searchBooks.pageInfo.endCursor);
      assert.deepEqual(errorCodes(foreign), ["BAD_USER_INPUT"], "a cursor of another query is refused");
      const stopWordsOnly = await search("the and of");
      assert.equal(stopWordsOnly.errors, undefined);
      assert.equal(stopWordsOnly.data!.searchBooks.totalCount, 0);
    });
  });
}
