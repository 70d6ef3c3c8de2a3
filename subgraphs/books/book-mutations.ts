import type { GraphQLError } from "graphql";
import { Prisma, type Author, type Book } from "../../lib/db/database.ts";
import { inPrismaTransaction } from "../../lib/db/transaction.ts";
import { badUserInput, conflict, notFound } from "../../lib/errors.ts";
import { parseId } from "../../lib/graphql/arguments.ts";
import { writeAudit } from "./audit.ts";
import { parseBookInput, type BookChanges, type BookInputArgs, type Reference } from "./book-input.ts";
import { bookSnapshot } from "./book-snapshot.ts";
import type { BooksContext } from "./context.ts";
import { slugify } from "./validation.ts";

type Tx = Prisma.TransactionClient;

/**
 * Catalogue changes by staff. Each runs in one transaction together with its
 * audit_logs row: a failure anywhere leaves neither the change nor the record.
 */
export async function createBook(context: BooksContext, input: BookInputArgs): Promise<Book> {
  const changes = parseBookInput(input, "create");
  return inTransaction(context, async (tx) => {
    await assertIsbnsFree(tx, changes.isbns, null);
    const created = await tx.book.create({ data: { ...(await columnsOf(tx, changes)), title: changes.title! } });
    await writeLinks(tx, created.id, changes);
    await writeAudit(tx, context, { action: "book.create", entityType: "Book", entityId: created.id, after: await bookSnapshot(tx, created.id) });
    return created;
  });
}

export async function updateBook(context: BooksContext, rawId: string, input: BookInputArgs): Promise<Book> {
  const id = parseId(rawId);
  const changes = parseBookInput(input, "update");
  return inTransaction(context, async (tx) => {
    const before = await bookSnapshot(tx, id);
    if (!before) throw notFound("Book", id);
    await assertIsbnsFree(tx, changes.isbns, id);
    const updated = await tx.book.update({
      where: { id },
      data: { ...(changes.title !== undefined ? { title: changes.title } : {}), ...(await columnsOf(tx, changes)) },
    });
    await writeLinks(tx, id, changes);
    await writeAudit(tx, context, { action: "book.update", entityType: "Book", entityId: id, before, after: await bookSnapshot(tx, id) });
    return updated;
  });
}

export async function deleteBook(context: BooksContext, rawId: string): Promise<{ id: number; title: string }> {
  const id = parseId(rawId);
  return inTransaction(context, async (tx) => {
    const before = await bookSnapshot(tx, id);
    if (!before) throw notFound("Book", id);
    // Ratings, reviews, shelves and links go with it (ON DELETE CASCADE); logs keep a NULL book.
    const deleted = await tx.book.delete({ where: { id } });
    await writeAudit(tx, context, { action: "book.delete", entityType: "Book", entityId: id, before });
    return { id: deleted.id, title: deleted.title };
  });
}

/** Folds the source author into the target: its book credits and reader preferences move, duplicates collapse. */
export async function mergeAuthors(context: BooksContext, rawSourceId: string, rawTargetId: string): Promise<Author> {
  const sourceId = parseId(rawSourceId, "sourceId");
  const targetId = parseId(rawTargetId, "targetId");
  if (sourceId === targetId) throw badUserInput("sourceId and targetId must be different authors", "sourceId");
  return inTransaction(context, async (tx) => {
    const [source, target] = await Promise.all([
      tx.author.findUnique({ where: { id: sourceId }, include: { books: { select: { bookId: true } } } }),
      tx.author.findUnique({ where: { id: targetId }, include: { books: { select: { bookId: true } } } }),
    ]);
    if (!source) throw notFound("Author", sourceId);
    if (!target) throw notFound("Author", targetId);
    // A book credited to both keeps one credit, at the more prominent position of the two.
    await tx.$executeRaw(Prisma.sql`
      INSERT INTO book_authors (book_id, author_id, position)
      SELECT book_id, ${targetId}, position FROM book_authors WHERE author_id = ${sourceId}
      ON CONFLICT (book_id, author_id) DO UPDATE SET position = LEAST(book_authors.position, EXCLUDED.position)`);
    await tx.$executeRaw(Prisma.sql`
      INSERT INTO user_author_preferences (user_id, author_id, weight, origin, updated_at)
      SELECT user_id, ${targetId}, weight, origin, CURRENT_TIMESTAMP FROM user_author_preferences WHERE author_id = ${sourceId}
      ON CONFLICT (user_id, author_id) DO UPDATE SET weight = GREATEST(user_author_preferences.weight, EXCLUDED.weight),
                                                     updated_at = CURRENT_TIMESTAMP`);
    await tx.author.delete({ where: { id: sourceId } });
    const merged = await tx.author.findUniqueOrThrow({ where: { id: targetId }, include: { books: { select: { bookId: true } } } });
    const describe = (author: { id: number; name: string; books: { bookId: number }[] }) => ({
      id: author.id,
      name: author.name,
      bookIds: author.books.map((link) => link.bookId).sort((a, b) => a - b),
    });
    await writeAudit(tx, context, {
      action: "author.merge",
      entityType: "Author",
      entityId: targetId,
      before: { source: describe(source), target: describe(target) },
      after: { target: describe(merged), mergedSourceId: sourceId },
    });
    return { id: merged.id, name: merged.name };
  });
}

async function inTransaction<T>(context: BooksContext, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await inPrismaTransaction(context.runtime.db.prisma, work);
  } catch (error) {
    // The pre-checks name the field; this catches a concurrent writer that won the race
    // (same ISBN, or the same new author/genre/publisher name created at the same moment).
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw conflict("A change made at the same moment took a value this one needs (an ISBN or a name); retry");
    }
    throw error;
  }
}

async function assertIsbnsFree(tx: Tx, isbns: BookChanges["isbns"], exceptBookId: number | null): Promise<void> {
  if (!isbns) return;
  for (const [field, value] of [["isbn13", isbns.isbn13], ["isbn10", isbns.isbn10]] as const) {
    if (value === null) continue;
    const holder = await tx.book.findFirst({
      where: { [field]: value, ...(exceptBookId !== null ? { id: { not: exceptBookId } } : {}) },
      select: { id: true },
    });
    if (holder) {
      throw withField(conflict(`input.${field} ${value} already belongs to book ${holder.id}`), `input.${field}`, holder.id);
    }
  }
}

/** CONFLICT carries the field too, so a form can point at it like it does for BAD_USER_INPUT. */
function withField(error: GraphQLError, field: string, existingBookId: number): GraphQLError {
  Object.assign(error.extensions, { field, existingBookId: String(existingBookId) });
  return error;
}

/** The scalar columns (and publisher) of a change, ready for Prisma. */
async function columnsOf(tx: Tx, changes: BookChanges): Promise<Prisma.BookUncheckedUpdateInput & Prisma.BookUncheckedCreateInput> {
  const data: Prisma.BookUncheckedUpdateInput = {};
  if (changes.subtitle !== undefined) data.subtitle = changes.subtitle;
  if (changes.description !== undefined) data.description = changes.description;
  if (changes.isbns) Object.assign(data, changes.isbns);
  if (changes.language !== undefined) data.language = changes.language;
  if (changes.publicationYear !== undefined) data.publicationYear = changes.publicationYear;
  if (changes.coverUrl !== undefined) data.coverUrl = changes.coverUrl;
  if (changes.publisher !== undefined) {
    data.publisherId =
      changes.publisher === null
        ? null
        : (await tx.publisher.upsert({ where: { name: changes.publisher }, create: { name: changes.publisher }, update: {}, select: { id: true } })).id;
  }
  return data as Prisma.BookUncheckedUpdateInput & Prisma.BookUncheckedCreateInput;
}

/** Replaces the author credits and genres a change names (in the given order). */
async function writeLinks(tx: Tx, bookId: number, changes: BookChanges): Promise<void> {
  if (changes.authors) {
    const authorIds = await resolveAuthors(tx, changes.authors);
    await tx.bookAuthor.deleteMany({ where: { bookId } });
    if (authorIds.length > 0) await tx.bookAuthor.createMany({ data: authorIds.map((authorId, position) => ({ bookId, authorId, position })) });
  }
  if (changes.genres) {
    const genreIds = await resolveGenres(tx, changes.genres);
    await tx.bookGenre.deleteMany({ where: { bookId } });
    if (genreIds.length > 0) await tx.bookGenre.createMany({ data: genreIds.map((genreId) => ({ bookId, genreId })) });
  }
}

async function resolveAuthors(tx: Tx, references: Reference[]): Promise<number[]> {
  const ids: number[] = [];
  for (const reference of references) {
    if ("id" in reference) {
      const author = await tx.author.findUnique({ where: { id: reference.id }, select: { id: true } });
      if (!author) throw notFound("Author", reference.id);
      ids.push(author.id);
    } else {
      const existing = await tx.author.findFirst({ where: { name: { equals: reference.name, mode: "insensitive" } }, select: { id: true } });
      ids.push(existing?.id ?? (await tx.author.create({ data: { name: reference.name }, select: { id: true } })).id);
    }
  }
  return [...new Set(ids)];
}

async function resolveGenres(tx: Tx, references: Reference[]): Promise<number[]> {
  const ids: number[] = [];
  for (const [index, reference] of references.entries()) {
    if ("id" in reference) {
      const genre = await tx.genre.findUnique({ where: { id: reference.id }, select: { id: true } });
      if (!genre) throw notFound("Genre", reference.id);
      ids.push(genre.id);
      continue;
    }
    const slug = slugify(reference.name);
    if (slug === "") throw badUserInput(`input.genres[${index}].name needs at least one letter or digit`, `input.genres[${index}].name`);
    const existing = await tx.genre.findFirst({
      where: { OR: [{ name: { equals: reference.name, mode: "insensitive" } }, { slug }] },
      select: { id: true },
    });
    ids.push(existing?.id ?? (await tx.genre.create({ data: { name: reference.name, slug }, select: { id: true } })).id);
  }
  return [...new Set(ids)];
}
