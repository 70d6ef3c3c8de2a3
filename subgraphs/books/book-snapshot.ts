import type { Prisma } from "../../lib/db/database.ts";

/** A book as the audit log records it: its columns plus the names of what it links to. */
export type BookSnapshot = Prisma.InputJsonObject;

export async function bookSnapshot(tx: Prisma.TransactionClient, bookId: number): Promise<BookSnapshot | null> {
  const book = await tx.book.findUnique({
    where: { id: bookId },
    include: {
      publisher: true,
      authors: { include: { author: true }, orderBy: { position: "asc" } },
      genres: { include: { genre: true }, orderBy: [{ weight: "desc" }, { genreId: "asc" }] },
    },
  });
  if (!book) return null;
  return {
    id: book.id,
    title: book.title,
    subtitle: book.subtitle,
    description: book.description,
    isbn10: book.isbn10,
    isbn13: book.isbn13,
    language: book.language,
    publicationYear: book.publicationYear,
    publisher: book.publisher?.name ?? null,
    coverUrl: book.coverUrl,
    authors: book.authors.map((link) => ({ id: link.author.id, name: link.author.name })),
    genres: book.genres.map((link) => ({ id: link.genre.id, name: link.genre.name })),
  };
}
