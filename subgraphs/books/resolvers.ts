import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import type { Book } from "../../lib/db/database.ts";
import { notFound } from "../../lib/errors.ts";
import { parseId, parseLimit } from "../../lib/graphql/arguments.ts";
import { decodeCursor, toConnection } from "../../lib/graphql/cursor.ts";
import type { BooksContext } from "./context.ts";

export const MAX_PAGE_SIZE = 100;

export const resolvers: GraphQLResolverMap<BooksContext> = {
  Query: {
    async book(_parent, args: { id: string }, context) {
      const id = parseId(args.id);
      const book = await context.loaders.bookById.load(id);
      if (!book) throw notFound("Book", id);
      return book;
    },
    async books(_parent, args: { first?: number | null; after?: string | null }, context) {
      const first = parseLimit(args.first, { field: "first", fallback: 20, max: MAX_PAGE_SIZE });
      const prisma = context.runtime.db.prisma;
      // Keyset pagination on (ratings_count desc, id asc): stable under inserts, no OFFSET scans.
      const where = args.after ? afterPosition(decodeCursor(args.after)) : {};
      const [rows, totalCount] = await Promise.all([
        prisma.book.findMany({ where, orderBy: [{ ratingsCount: "desc" }, { id: "asc" }], take: first + 1 }),
        prisma.book.count(),
      ]);
      for (const row of rows) context.loaders.bookById.prime(row.id, row);
      return toConnection(rows, first, totalCount, (book) => [book.ratingsCount, book.id]);
    },
  },
  Book: {
    async __resolveReference(reference: { id: string }, context: BooksContext) {
      return context.loaders.bookById.load(parseId(reference.id));
    },
    authors: (book: Book, _args, context) => context.loaders.authorsByBookId.load(book.id),
    genres: (book: Book, _args, context) => context.loaders.genresByBookId.load(book.id),
    publisher: (book: Book, _args, context) =>
      book.publisherId === null ? null : context.loaders.publisherById.load(book.publisherId),
  },
};

function afterPosition(position: (string | number)[]) {
  const [ratingsCount, id] = position;
  if (typeof ratingsCount !== "number" || typeof id !== "number") return { id: -1 };
  return {
    OR: [{ ratingsCount: { lt: ratingsCount } }, { ratingsCount, id: { gt: id } }],
  };
}
