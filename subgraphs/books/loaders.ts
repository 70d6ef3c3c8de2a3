import DataLoader from "dataloader";
import { Prisma, type Author, type Book, type Genre, type PrismaClient, type Publisher } from "../../lib/db/database.ts";
import type { BookCache } from "./book-cache.ts";

/** A page of one author's books, most rated first, after an optional keyset position. */
export interface AuthorBooksPageKey {
  authorId: number;
  /** Rows to fetch (page size + 1, so the caller can tell whether a next page exists). */
  take: number;
  after: { ratingsCount: number; id: number } | null;
}

/** Per-request batching: every relation of every book in a response costs one query per kind. */
export interface BookLoaders {
  bookById: DataLoader<number, Book | null>;
  authorById: DataLoader<number, Author | null>;
  genreById: DataLoader<number, Genre | null>;
  authorsByBookId: DataLoader<number, Author[]>;
  genresByBookId: DataLoader<number, Genre[]>;
  publisherById: DataLoader<number, Publisher | null>;
  booksPageByAuthor: DataLoader<AuthorBooksPageKey, Book[], string>;
  bookCountByAuthorId: DataLoader<number, number>;
  ratingStatsOf: DataLoader<Book, RatingStats, number>;
}

/** A book's rating aggregates, which the users subgraph moves with every rating. */
export interface RatingStats {
  averageRating: number;
  ratingsCount: number;
}

export function createBookLoaders(prisma: PrismaClient, bookCache?: BookCache): BookLoaders {
  const bookById: BookLoaders["bookById"] = new DataLoader(async (ids) => {
    if (!bookCache) return byKey(ids, await prisma.book.findMany({ where: { id: { in: [...ids] } } }), (row) => row.id);
    // Only the books the instance's cache lacks are read; a batch found whole costs no round trip.
    const found = new Map<number, Book>();
    const missing: number[] = [];
    for (const id of ids) {
      const cached = bookCache.get(id);
      if (cached) found.set(id, cached);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const snapshot = bookCache.snapshot();
      const rows = await prisma.book.findMany({ where: { id: { in: missing } } });
      bookCache.remember(rows, snapshot);
      for (const row of rows) found.set(row.id, row);
    }
    return ids.map((id) => found.get(id) ?? null);
  });
  return {
    bookById,
    // Rows may come from the instance's shared cache, but a reader who has just rated
    // or unrated a book must see its new average: with a cache the aggregates are read
    // fresh, one query per batch, and only when a query selects them.
    ratingStatsOf: new DataLoader(
      async (books) => {
        if (!bookCache) return books.map((book) => ({ averageRating: book.averageRating, ratingsCount: book.ratingsCount }));
        const rows = await prisma.book.findMany({
          where: { id: { in: books.map((book) => book.id) } },
          select: { id: true, averageRating: true, ratingsCount: true },
        });
        const found = new Map(rows.map((row) => [row.id, row]));
        return books.map((book) => found.get(book.id) ?? { averageRating: book.averageRating, ratingsCount: book.ratingsCount });
      },
      { cacheKeyFn: (book) => book.id },
    ),
    authorById: new DataLoader(async (ids) => {
      const rows = await prisma.author.findMany({ where: { id: { in: [...ids] } } });
      return byKey(ids, rows, (row) => row.id);
    }),
    genreById: new DataLoader(async (ids) => {
      const rows = await prisma.genre.findMany({ where: { id: { in: [...ids] } } });
      return byKey(ids, rows, (row) => row.id);
    }),
    authorsByBookId: new DataLoader(async (bookIds) => {
      const links = await prisma.bookAuthor.findMany({
        where: { bookId: { in: [...bookIds] } },
        include: { author: true },
        orderBy: [{ bookId: "asc" }, { position: "asc" }],
      });
      return groupBy(bookIds, links, (link) => link.bookId, (link) => link.author);
    }),
    genresByBookId: new DataLoader(async (bookIds) => {
      const links = await prisma.bookGenre.findMany({
        where: { bookId: { in: [...bookIds] } },
        include: { genre: true },
        orderBy: [{ bookId: "asc" }, { weight: "desc" }],
      });
      return groupBy(bookIds, links, (link) => link.bookId, (link) => link.genre);
    }),
    publisherById: new DataLoader(async (ids) => {
      const rows = await prisma.publisher.findMany({ where: { id: { in: [...ids] } } });
      return byKey(ids, rows, (row) => row.id);
    }),
    booksPageByAuthor: new DataLoader(
      async (keys) => {
        // Keys asking for the same page shape share one LATERAL query for all their authors.
        const groups = new Map<string, AuthorBooksPageKey[]>();
        for (const key of keys) {
          const shape = JSON.stringify([key.take, key.after]);
          groups.set(shape, [...(groups.get(shape) ?? []), key]);
        }
        const idsByKey = new Map<AuthorBooksPageKey, number[]>();
        await Promise.all(
          [...groups.values()].map(async (group) => {
            const { take, after } = group[0]!;
            const authorIds = group.map((key) => key.authorId);
            const rows = await prisma.$queryRaw<{ author_id: number; book_id: number }[]>(Prisma.sql`
              SELECT a.author_id, page.id AS book_id
                FROM unnest(${authorIds}::int[]) AS a(author_id)
                CROSS JOIN LATERAL (
                  SELECT b.id, b.ratings_count
                    FROM book_authors ba JOIN books b ON b.id = ba.book_id
                   WHERE ba.author_id = a.author_id
                     AND (${after?.ratingsCount ?? null}::int IS NULL
                          OR b.ratings_count < ${after?.ratingsCount ?? null}::int
                          OR (b.ratings_count = ${after?.ratingsCount ?? null}::int AND b.id > ${after?.id ?? null}::int))
                   ORDER BY b.ratings_count DESC, b.id ASC
                   LIMIT ${take}
                ) AS page
               ORDER BY a.author_id, page.ratings_count DESC, page.id ASC`);
            for (const key of group) idsByKey.set(key, rows.filter((row) => row.author_id === key.authorId).map((row) => row.book_id));
          }),
        );
        const allIds = [...new Set([...idsByKey.values()].flat())];
        const books = new Map((await prisma.book.findMany({ where: { id: { in: allIds } } })).map((book) => [book.id, book]));
        for (const book of books.values()) bookById.prime(book.id, book);
        return keys.map((key) => (idsByKey.get(key) ?? []).map((id) => books.get(id)).filter((book) => book !== undefined));
      },
      { cacheKeyFn: (key) => JSON.stringify([key.authorId, key.take, key.after]) },
    ),
    bookCountByAuthorId: new DataLoader(async (authorIds) => {
      const counts = await prisma.bookAuthor.groupBy({ by: ["authorId"], where: { authorId: { in: [...authorIds] } }, _count: { _all: true } });
      const byAuthor = new Map(counts.map((row) => [row.authorId, row._count._all]));
      return authorIds.map((id) => byAuthor.get(id) ?? 0);
    }),
  };
}

function byKey<Row>(keys: readonly number[], rows: Row[], keyOf: (row: Row) => number): (Row | null)[] {
  const found = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => found.get(key) ?? null);
}

function groupBy<Row, Value>(
  keys: readonly number[],
  rows: Row[],
  keyOf: (row: Row) => number,
  valueOf: (row: Row) => Value,
): Value[][] {
  const groups = new Map<number, Value[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(valueOf(row));
  return keys.map((key) => groups.get(key) ?? []);
}
