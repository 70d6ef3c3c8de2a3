import type { GraphQLResolverMap } from "../../lib/graphql/resolver-map.ts";
import type { Author, Book, Prisma } from "../../lib/db/database.ts";
import { badUserInput, notFound } from "../../lib/errors.ts";
import { parseId, parseLimit } from "../../lib/graphql/arguments.ts";
import { decodeCursor, toConnection } from "../../lib/graphql/cursor.ts";
import { requireIsbn } from "../../lib/isbn.ts";
import { bookFilterWhere, type BookFilterArgs } from "./book-filter.ts";
import type { BookInputArgs } from "./book-input.ts";
import { createBook, deleteBook, mergeAuthors, updateBook } from "./book-mutations.ts";
import { BookOrdering, type BookOrderArgs } from "./book-order.ts";
import { bookCacheOf } from "./book-cache-lifecycle.ts";
import type { BooksContext } from "./context.ts";
import { renderHighlight, searchBooks, searchPosition, type SearchHitRow } from "./search.ts";
import { MAX_NAME_LENGTH } from "./validation.ts";
import { publishCatalogueChanged, type CatalogueChangedEvent } from "../../lib/events/catalogue-changed.ts";

export const MAX_PAGE_SIZE = 100;

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

const pageSize = (args: PageArgs) => parseLimit(args.first, { field: "first", fallback: 20, max: MAX_PAGE_SIZE });

export const resolvers: GraphQLResolverMap<BooksContext> = {
  Query: {
    async book(_parent, args: { id: string }, context) {
      const id = parseId(args.id);
      const book = await context.loaders.bookById.load(id);
      if (!book) throw notFound("Book", id);
      return book;
    },
    async bookByIsbn(_parent, args: { isbn: string }, context) {
      const { isbn13, isbn10 } = requireIsbn(args.isbn, "isbn");
      const book = await context.runtime.db.prisma.book.findFirst({
        where: { OR: [{ isbn13 }, ...(isbn10 ? [{ isbn10 }] : [])] },
        orderBy: { id: "asc" },
      });
      if (!book) throw notFound("Book", isbn13);
      context.loaders.bookById.prime(book.id, book);
      return book;
    },
    async books(_parent, args: PageArgs & { filter?: BookFilterArgs | null; orderBy?: BookOrderArgs | null }, context) {
      const first = pageSize(args);
      const ordering = new BookOrdering(args.orderBy);
      const filter = bookFilterWhere(args.filter);
      // Keyset pagination: stable under inserts, no OFFSET scans.
      const where: Prisma.BookWhereInput = args.after ? { AND: [filter, ordering.after(args.after)] } : filter;
      const prisma = context.runtime.db.prisma;
      const [rows, totalCount] = await Promise.all([
        prisma.book.findMany({ where, orderBy: ordering.orderBy(), take: first + 1 }),
        prisma.book.count({ where: filter }),
      ]);
      for (const row of rows) context.loaders.bookById.prime(row.id, row);
      return toConnection(rows, first, totalCount, (book) => ordering.positionOf(book));
    },
    async searchBooks(_parent, args: PageArgs & { query: string }, context) {
      const first = pageSize(args);
      const page = await searchBooks(context.runtime.db.prisma, args.query, first, args.after ?? null);
      const books = await context.loaders.bookById.loadMany(page.rows.map((row) => row.id));
      const hits = page.rows.flatMap((row, index) => {
        const book = books[index];
        // A book deleted between the two statements simply drops out of the page.
        return book && !(book instanceof Error) ? [{ row, book }] : [];
      });
      return toConnection(hits, first, page.totalCount, ({ row }) => searchPosition(page.query, row));
    },
    async authors(_parent, args: PageArgs & { query?: string | null }, context) {
      const first = pageSize(args);
      const query = args.query?.trim() ?? "";
      if (query.length > MAX_NAME_LENGTH) throw badUserInput(`query must be at most ${MAX_NAME_LENGTH} characters`, "query");
      const filter: Prisma.AuthorWhereInput = query ? { name: { contains: query, mode: "insensitive" } } : {};
      const where: Prisma.AuthorWhereInput = args.after ? { AND: [filter, authorsAfter(args.after)] } : filter;
      const prisma = context.runtime.db.prisma;
      const [rows, totalCount] = await Promise.all([
        prisma.author.findMany({ where, orderBy: [{ name: "asc" }, { id: "asc" }], take: first + 1 }),
        prisma.author.count({ where: filter }),
      ]);
      for (const row of rows) context.loaders.authorById.prime(row.id, row);
      return toConnection(rows, first, totalCount, (author) => ["author", author.name, author.id]);
    },
    async author(_parent, args: { id: string }, context) {
      const id = parseId(args.id);
      const author = await context.loaders.authorById.load(id);
      if (!author) throw notFound("Author", id);
      return author;
    },
    genres: (_parent, _args, context) => context.runtime.db.prisma.genre.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }] }),
  },
  Mutation: {
    createBook: (_parent, args: { input: BookInputArgs }, context) =>
      announced(context, "createBook", createBook(context, args.input)),
    updateBook: (_parent, args: { id: string; input: BookInputArgs }, context) =>
      announced(context, "updateBook", updateBook(context, args.id, args.input)),
    deleteBook: (_parent, args: { id: string }, context) => announced(context, "deleteBook", deleteBook(context, args.id)),
    mergeAuthors: (_parent, args: { sourceId: string; targetId: string }, context) =>
      announced(context, "mergeAuthors", mergeAuthors(context, args.sourceId, args.targetId)),
  },
  Book: {
    async __resolveReference(reference: { id: string }, context: BooksContext) {
      return context.loaders.bookById.load(parseId(reference.id));
    },
    authors: (book: Book, _args, context) => context.loaders.authorsByBookId.load(book.id),
    genres: (book: Book, _args, context) => context.loaders.genresByBookId.load(book.id),
    publisher: (book: Book, _args, context) =>
      book.publisherId === null ? null : context.loaders.publisherById.load(book.publisherId),
    averageRating: async (book: Book, _args, context) => (await context.loaders.ratingStatsOf.load(book)).averageRating,
    ratingsCount: async (book: Book, _args, context) => (await context.loaders.ratingStatsOf.load(book)).ratingsCount,
  },
  // Author and Genre are entities so other subgraphs (users' preferences) can reference them.
  Author: {
    __resolveReference: (reference: { id: string }, context: BooksContext) => context.loaders.authorById.load(parseId(reference.id)),
    async books(author: Author, args: PageArgs, context: BooksContext) {
      const first = pageSize(args);
      const after = args.after ? authorBooksAfter(args.after) : null;
      const [rows, totalCount] = await Promise.all([
        context.loaders.booksPageByAuthor.load({ authorId: author.id, take: first + 1, after }),
        context.loaders.bookCountByAuthorId.load(author.id),
      ]);
      return toConnection(rows, first, totalCount, (book) => ["by-author", book.ratingsCount, book.id]);
    },
  },
  Genre: {
    __resolveReference: (reference: { id: string }, context: BooksContext) => context.loaders.genreById.load(parseId(reference.id)),
  },
  BookSearchEdge: {
    node: (edge: { node: { row: SearchHitRow; book: Book } }) => edge.node,
  },
  BookSearchHit: {
    book: (hit: { book: Book }) => hit.book,
    score: (hit: { row: SearchHitRow }) => hit.row.score,
    highlights: (hit: { row: SearchHitRow }) => ({
      title: renderHighlight(hit.row.title_highlight),
      snippet: hit.row.snippet_highlight === null ? null : renderHighlight(hit.row.snippet_highlight),
    }),
  },
};

function authorsAfter(cursor: string): Prisma.AuthorWhereInput {
  const [tag, name, id, ...rest] = decodeCursor(cursor);
  if (tag !== "author" || typeof name !== "string" || typeof id !== "number" || rest.length > 0) {
    throw badUserInput("after is not a cursor of this list", "after");
  }
  return { OR: [{ name: { gt: name } }, { name, id: { gt: id } }] };
}

function authorBooksAfter(cursor: string): { ratingsCount: number; id: number } {
  const [tag, ratingsCount, id, ...rest] = decodeCursor(cursor);
  if (tag !== "by-author" || typeof ratingsCount !== "number" || typeof id !== "number" || rest.length > 0) {
    throw badUserInput("after is not a cursor of this list", "after");
  }
  return { ratingsCount, id };
}

/**
 * A committed catalogue mutation is announced, so cached public answers (the gateway's
 * response cache) and the other books instances' row caches start afresh. This
 * instance forgets its rows at once: the caller's next read must see the change.
 */
async function announced<T>(context: BooksContext, mutation: CatalogueChangedEvent["mutation"], change: Promise<T>): Promise<T> {
  const result = await change;
  bookCacheOf(context.runtime)?.clear();
  await publishCatalogueChanged(context.runtime.pubsub, mutation, context.logger);
  return result;
}
