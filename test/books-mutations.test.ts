import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { databaseTargets } from "./support/databases.ts";
import { errorCodes, graphql, type GraphQLResult } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const BOOK_FIELDS = `id title subtitle description isbn10 isbn13 language publicationYear coverUrl publisher { name } authors { id name } genres { id name slug }`;
const CREATE = `mutation($input: CreateBookInput!) { createBook(input: $input) { ${BOOK_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateBookInput!) { updateBook(id: $id, input: $input) { ${BOOK_FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deleteBook(id: $id) { id title } }`;
const MERGE = `mutation($source: ID!, $target: ID!) { mergeAuthors(sourceId: $source, targetId: $target) { id name books(first: 50) { totalCount edges { node { id authors { id } } } } } }`;

const ADMIN_ID = 1;
const READER_ID = 2;

function assertOneError(result: GraphQLResult, code: string, field?: string): void {
  assert.deepEqual(errorCodes(result), [code], JSON.stringify(result.errors));
  if (field !== undefined) assert.equal(result.errors![0]!.extensions?.field, field, JSON.stringify(result.errors));
}

for (const target of databaseTargets()) {
  describe(`catalogue mutations through the gateway (${target.name})`, () => {
    let running: TestSupergraph;
    let url: string;
    let admin: string;
    let reader: string;
    const prisma = () => running.runtime.db.prisma;
    const asAdmin = (query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) =>
      graphql(url, query, { token: admin, variables, headers });

    before(async () => {
      running = await startTestSupergraph(target, { books: 120, users: 30, seed: 11 });
      url = running.gatewayUrl;
      admin = await signAccessToken(running.runtime.config, { userId: ADMIN_ID, role: "ADMIN" });
      reader = await signAccessToken(running.runtime.config, { userId: READER_ID, role: "READER" });
    });
    after(async () => {
      await running?.stop();
    });

    it("lets an admin create a book with normalised ISBNs, new and existing authors, genres and publisher, and audits it", async () => {
      const existingAuthor = await prisma().author.findFirstOrThrow({ orderBy: { id: "asc" } });
      const existingGenre = await prisma().genre.findFirstOrThrow({ where: { slug: "science-fiction" } });
      const result = await asAdmin(
        CREATE,
        {
          input: {
            title: "  The Left Hand of Darkness ",
            subtitle: "Hainish Cycle",
            description: "A lone human emissary to Winter, an alien world.",
            isbn10: "0-441-47812-3",
            language: "en-us",
            publicationYear: 1969,
            publisher: "Ace Books",
            coverUrl: "https://covers.example.org/left-hand.jpg",
            authors: [{ name: "Ursula K. Le Guin" }, { id: String(existingAuthor.id) }, { name: "ursula k. le guin" }],
            genres: [{ id: String(existingGenre.id) }, { name: "Anthropological SF" }, { name: "science fiction" }],
          },
        },
        { "x-request-id": "create-book-req-1" },
      );
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      const book = result.data!.createBook;
      assert.equal(book.title, "The Left Hand of Darkness");
      assert.equal(book.isbn10, "0441478123");
      assert.equal(book.isbn13, "9780441478125", "the ISBN-13 is derived from the ISBN-10");
      assert.equal(book.language, "en-US");
      assert.equal(book.publisher.name, "Ace Books");
      assert.deepEqual(book.authors.map((author: { name: string }) => author.name), ["Ursula K. Le Guin", existingAuthor.name], "same name twice is one author");
      assert.deepEqual(book.genres.map((genre: { slug: string }) => genre.slug).sort(), ["anthropological-sf", "science-fiction"]);

      const audit = await prisma().auditLog.findFirstOrThrow({ where: { entityType: "Book", entityId: book.id, action: "book.create" } });
      assert.equal(audit.actorId, ADMIN_ID);
      assert.equal(audit.requestId, "create-book-req-1");
      assert.equal(audit.before, null);
      assert.equal((audit.after as { title: string }).title, "The Left Hand of Darkness");
      assert.equal((audit.after as { isbn13: string }).isbn13, "9780441478125");

      const byIsbn = await graphql(url, `{ bookByIsbn(isbn: "978-0-441-47812-5") { id } }`);
      assert.equal(byIsbn.data!.bookByIsbn.id, book.id);
    });

    it("refuses readers (FORBIDDEN) and anonymous callers (UNAUTHENTICATED) and writes nothing", async () => {
      const before = await prisma().book.count();
      const auditsBefore = await prisma().auditLog.count();
      const book = await prisma().book.findFirstOrThrow({ orderBy: { id: "asc" } });
      const attempts: [string, Record<string, unknown>][] = [
        [CREATE, { input: { title: "Sneaky" } }],
        [UPDATE, { id: String(book.id), input: { title: "Defaced" } }],
        [DELETE, { id: String(book.id) }],
        [MERGE, { source: "1", target: "2" }],
      ];
      for (const [query, variables] of attempts) {
        assertOneError(await graphql(url, query, { token: reader, variables }), "FORBIDDEN");
        assertOneError(await graphql(url, query, { variables }), "UNAUTHENTICATED");
      }
      const ghostAdmin = await signAccessToken(running.runtime.config, { userId: 999_999, role: "ADMIN" });
      assertOneError(await graphql(url, CREATE, { token: ghostAdmin, variables: { input: { title: "Unattributable" } } }), "UNAUTHENTICATED");
      assert.equal(await prisma().book.count(), before);
      assert.equal(await prisma().auditLog.count(), auditsBefore);
      assert.equal((await prisma().book.findUniqueOrThrow({ where: { id: book.id } })).title, book.title);
      assert.ok(await prisma().author.findUnique({ where: { id: 1 } }));
    });

    it("names the offending field in validation errors", async () => {
      const year = new Date().getUTCFullYear();
      const cases: [Record<string, unknown>, string, string][] = [
        [{ title: "   " }, "BAD_USER_INPUT", "input.title"],
        [{ title: "x".repeat(501) }, "BAD_USER_INPUT", "input.title"],
        [{ title: "Ok", publicationYear: 999 }, "BAD_USER_INPUT", "input.publicationYear"],
        [{ title: "Ok", publicationYear: year + 2 }, "BAD_USER_INPUT", "input.publicationYear"],
        [{ title: "Ok", isbn13: "978-0-441-47812-6" }, "BAD_USER_INPUT", "input.isbn13"],
        [{ title: "Ok", isbn10: "12345" }, "BAD_USER_INPUT", "input.isbn10"],
        [{ title: "Ok", isbn10: "0306406152", isbn13: "9780441478125" }, "BAD_USER_INPUT", "input.isbn10"],
        [{ title: "Ok", language: "English" }, "BAD_USER_INPUT", "input.language"],
        [{ title: "Ok", coverUrl: "ftp://example.org/c.jpg" }, "BAD_USER_INPUT", "input.coverUrl"],
        [{ title: "Ok", authors: [{ id: "5", name: "Both" }] }, "BAD_USER_INPUT", "input.authors[0]"],
        [{ title: "Ok", authors: [{ name: "Fine" }, {}] }, "BAD_USER_INPUT", "input.authors[1]"],
        [{ title: "Ok", genres: [{ name: "!!!" }] }, "BAD_USER_INPUT", "input.genres[0].name"],
        [{ title: "Ok", genres: Array.from({ length: 51 }, (_, index) => ({ name: `Tag ${index}` })) }, "BAD_USER_INPUT", "input.genres"],
        [{ title: "Ok", isbn13: "9780441478125" }, "CONFLICT", "input.isbn13"],
        [{ title: "Ok", isbn10: "0441478123" }, "CONFLICT", "input.isbn13"],
      ];
      for (const [input, code, field] of cases) {
        assertOneError(await asAdmin(CREATE, { input }), code, field);
      }
      assert.equal(await prisma().book.count({ where: { title: "Ok" } }), 0);
      assert.equal((await asAdmin(CREATE, { input: { title: "Ok", publicationYear: year + 1 } })).errors, undefined, "next year's books can be catalogued");
    });

    it("writes nothing when a later step fails (one transaction)", async () => {
      const books = await prisma().book.count();
      const result = await asAdmin(CREATE, {
        input: { title: "Half Written", authors: [{ name: "Brand New Author Xyz" }], genres: [{ name: "Brand New Genre Xyz" }, { id: "999999" }] },
      });
      assertOneError(result, "NOT_FOUND");
      assert.equal(await prisma().book.count(), books);
      assert.equal(await prisma().author.count({ where: { name: "Brand New Author Xyz" } }), 0);
      assert.equal(await prisma().genre.count({ where: { name: "Brand New Genre Xyz" } }), 0);
      assert.equal(await prisma().auditLog.count({ where: { action: "book.create", after: { path: ["title"], equals: "Half Written" } } }), 0);
      assertOneError(await asAdmin(CREATE, { input: { title: "Ghost author", authors: [{ id: "999999" }] } }), "NOT_FOUND");
    });

    it("updates only the given fields, replaces author and genre lists, and audits before and after", async () => {
      const created = await asAdmin(CREATE, {
        input: { title: "Draft Title", subtitle: "Keep me", isbn13: "9780306406157", language: "eng", authors: [{ name: "First Writer" }], genres: [{ name: "Drafts" }] },
      });
      assert.equal(created.errors, undefined, JSON.stringify(created.errors));
      const id = created.data!.createBook.id;
      const updated = await asAdmin(UPDATE, { id, input: { title: "Final Title", description: null, publicationYear: 2001, authors: [{ name: "Second Writer" }] } });
      assert.equal(updated.errors, undefined, JSON.stringify(updated.errors));
      const book = updated.data!.updateBook;
      assert.equal(book.title, "Final Title");
      assert.equal(book.subtitle, "Keep me", "absent fields keep their value");
      assert.equal(book.isbn13, "9780306406157");
      assert.equal(book.isbn10, "0306406152");
      assert.equal(book.publicationYear, 2001);
      assert.deepEqual(book.authors.map((author: { name: string }) => author.name), ["Second Writer"]);
      assert.deepEqual(book.genres.map((genre: { name: string }) => genre.name), ["Drafts"], "genres not given are kept");

      const cleared = await asAdmin(UPDATE, { id, input: { isbn13: null, subtitle: null } });
      assert.equal(cleared.data!.updateBook.isbn13, null);
      assert.equal(cleared.data!.updateBook.isbn10, null, "an ISBN field present replaces both");
      assert.equal(cleared.data!.updateBook.subtitle, null);

      const audits = await prisma().auditLog.findMany({ where: { entityType: "Book", entityId: id, action: "book.update" }, orderBy: { id: "asc" } });
      assert.equal(audits.length, 2);
      assert.equal((audits[0]!.before as { title: string }).title, "Draft Title");
      assert.equal((audits[0]!.after as { title: string }).title, "Final Title");
      assert.deepEqual((audits[0]!.before as { authors: { name: string }[] }).authors.map((author) => author.name), ["First Writer"]);
      assert.deepEqual((audits[0]!.after as { authors: { name: string }[] }).authors.map((author) => author.name), ["Second Writer"]);

      const other = await prisma().book.findFirstOrThrow({ where: { isbn13: { not: null }, id: { not: Number(id) } } });
      assertOneError(await asAdmin(UPDATE, { id, input: { isbn13: other.isbn13 } }), "CONFLICT", "input.isbn13");
      assertOneError(await asAdmin(UPDATE, { id, input: { title: "" } }), "BAD_USER_INPUT", "input.title");
      assertOneError(await asAdmin(UPDATE, { id: "999999", input: { title: "Nobody" } }), "NOT_FOUND");
      const own = await asAdmin(UPDATE, { id: String(other.id), input: { isbn13: other.isbn13 } });
      assert.equal(own.errors, undefined, "a book keeps its own ISBN without conflict");
    });

    it("deletes a book with what hangs off it, and audits the last state", async () => {
      const rated = await prisma().rating.findFirstOrThrow({ orderBy: { id: "asc" } });
      const bookId = rated.bookId;
      const title = (await prisma().book.findUniqueOrThrow({ where: { id: bookId } })).title;
      const result = await asAdmin(DELETE, { id: String(bookId) });
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      assert.deepEqual(result.data!.deleteBook, { id: String(bookId), title });
      assertOneError(await graphql(url, `query($id: ID!) { book(id: $id) { id } }`, { variables: { id: String(bookId) } }), "NOT_FOUND");
      assert.equal(await prisma().rating.count({ where: { bookId } }), 0);
      const audit = await prisma().auditLog.findFirstOrThrow({ where: { entityType: "Book", entityId: String(bookId), action: "book.delete" } });
      assert.equal((audit.before as { title: string }).title, title);
      assert.equal(audit.after, null);
      assertOneError(await asAdmin(DELETE, { id: String(bookId) }), "NOT_FOUND");
    });

    it("merges one author into another: books move, shared credits collapse, the source is gone", async () => {
      const make = async (title: string, authors: { name: string }[]) => {
        const result = await asAdmin(CREATE, { input: { title, authors } });
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        return result.data!.createBook as { id: string; authors: { id: string; name: string }[] };
      };
      const onlySource = await make("Merge Source Solo", [{ name: "Jon Smyth" }]);
      const shared = await make("Merge Shared", [{ name: "John Smith" }, { name: "Jon Smyth" }]);
      const onlyTarget = await make("Merge Target Solo", [{ name: "John Smith" }]);
      const sourceId = onlySource.authors[0]!.id;
      const targetId = onlyTarget.authors[0]!.id;

      const merged = await asAdmin(MERGE, { source: sourceId, target: targetId }, { "x-request-id": "merge-req-1" });
      assert.equal(merged.errors, undefined, JSON.stringify(merged.errors));
      const author = merged.data!.mergeAuthors;
      assert.equal(author.id, targetId);
      assert.equal(author.name, "John Smith");
      const bookIds = author.books.edges.map((edge: { node: { id: string } }) => edge.node.id).sort();
      assert.deepEqual(bookIds, [onlySource.id, shared.id, onlyTarget.id].sort());
      assert.equal(author.books.totalCount, 3);
      const sharedNow = author.books.edges.find((edge: { node: { id: string } }) => edge.node.id === shared.id).node;
      assert.deepEqual(sharedNow.authors.map((credit: { id: string }) => credit.id), [targetId], "one credit, no duplicate");

      assertOneError(await graphql(url, `query($id: ID!) { author(id: $id) { id } }`, { variables: { id: sourceId } }), "NOT_FOUND");
      const byTarget = await graphql(url, `{ searchBooks(query: "John Smith") { edges { node { book { id } } } } }`);
      const found = byTarget.data!.searchBooks.edges.map((edge: { node: { book: { id: string } } }) => edge.node.book.id);
      assert.ok(found.includes(onlySource.id), "the moved book is now found under its new author");

      const audit = await prisma().auditLog.findFirstOrThrow({ where: { action: "author.merge", entityId: targetId } });
      assert.equal(audit.actorId, ADMIN_ID);
      assert.equal(audit.requestId, "merge-req-1");
      assert.deepEqual((audit.before as { source: { bookIds: number[] } }).source.bookIds, [Number(onlySource.id), Number(shared.id)].sort((a, b) => a - b));
      assert.equal((audit.after as { mergedSourceId: number }).mergedSourceId, Number(sourceId));

      assertOneError(await asAdmin(MERGE, { source: targetId, target: targetId }), "BAD_USER_INPUT", "sourceId");
      assertOneError(await asAdmin(MERGE, { source: sourceId, target: targetId }), "NOT_FOUND");
      assertOneError(await asAdmin(MERGE, { source: "abc", target: targetId }), "BAD_USER_INPUT", "sourceId");
    });
  });
}
