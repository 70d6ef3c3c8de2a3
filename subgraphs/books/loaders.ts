import DataLoader from "dataloader";
import type { Author, Book, Genre, PrismaClient, Publisher } from "../../lib/db/database.ts";

/** Per-request batching: every relation of every book in a response costs one query per kind. */
export interface BookLoaders {
  bookById: DataLoader<number, Book | null>;
  authorsByBookId: DataLoader<number, Author[]>;
  genresByBookId: DataLoader<number, Genre[]>;
  publisherById: DataLoader<number, Publisher | null>;
}

export function createBookLoaders(prisma: PrismaClient): BookLoaders {
  return {
    bookById: new DataLoader(async (ids) => {
      const rows = await prisma.book.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
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
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
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
