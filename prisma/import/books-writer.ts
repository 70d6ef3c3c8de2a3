import type { SqlConnection } from "../../lib/db/database.ts";
import { emptyBatchResult, type BatchWriter, type RowIssue } from "./batch.ts";
import { authorsOfBooks, setBookAuthors } from "./book-authors.ts";
import { idsByName } from "./named-rows.ts";
import type { BookRecord } from "./records.ts";

export interface BookWriterOptions {
  /** `books.source` of this dataset; with the record's externalId it identifies the book. */
  readonly source: string;
  /**
   * When a book's ISBN already belongs to a book of another dataset: true links the
   * record to that book (datasets keyed by ISBN, where it is the same book), false
   * keeps the record as its own book without the ISBN (the ISBN is reported).
   */
  readonly linkByIsbn: boolean;
  /** The file's names of the ISBN columns, for the report (one name when the file has a single ISBN column). */
  readonly isbnColumns: { readonly isbn10: string; readonly isbn13: string };
  /** Told the stored id of every record written or found unchanged, once its batch committed. */
  readonly onBook?: (record: BookRecord, bookId: number) => void;
}

interface StoredBook {
  id: number;
  external_id: string;
  title: string;
  isbn10: string | null;
  isbn13: string | null;
  language: string | null;
  publication_year: number | null;
  publisher_id: number | null;
  cover_url: string | null;
}

interface IsbnOwner {
  id: number;
  source: string;
  external_id: string | null;
  isbn10: string | null;
  isbn13: string | null;
}

/**
 * Upserts books by (source, externalId) with their publisher and author credits.
 * Rows are compared with what is stored first, so an unchanged book is not
 * written at all (no updated_at churn on a re-import), and ISBN collisions are
 * resolved before writing so the unique indexes never fail a batch.
 */
export function bookWriter(options: BookWriterOptions): BatchWriter<BookRecord> {
  const { source } = options;
  // Lines of the books already written this run, to report repeats of a key.
  const firstLineOf = new Map<string, number>();

  return async (connection, records) => {
    const result = emptyBatchResult();
    const batch: BookRecord[] = [];
    const batchLines = new Map<string, number>();
    for (const record of records) {
      const first = firstLineOf.get(record.externalId) ?? batchLines.get(record.externalId);
      if (first !== undefined) {
        result.issues.push({ line: record.line, reason: `duplicate book: id ${record.externalId} was first given at line ${first}` });
        continue;
      }
      batchLines.set(record.externalId, record.line);
      batch.push({ ...record });
    }

    const linked = await resolveIsbnCollisions(connection, options, batch, result.issues);
    const toStore = batch.filter((record) => !linked.has(record));
    const publisherIds = await idsByName(connection, "publishers", toStore.flatMap((record) => (record.publisher ? [record.publisher] : [])));
    const stored = await storedBooks(connection, source, toStore.map((record) => record.externalId));
    const storedAuthors = await authorsOfBooks(connection, [...stored.values()].map((book) => book.id));

    const inserts: BookRecord[] = [];
    const updates: { id: number; record: BookRecord }[] = [];
    const ids = new Map<BookRecord, number>(linked);
    const credits = new Map<number, readonly string[]>();
    for (const record of toStore) {
      const existing = stored.get(record.externalId);
      if (!existing) {
        inserts.push(record);
        continue;
      }
      ids.set(record, existing.id);
      const publisherId = record.publisher ? publisherIds.get(record.publisher)! : null;
      const authorsChanged = !sameList(storedAuthors.get(existing.id) ?? [], record.authors);
      if (authorsChanged) credits.set(existing.id, record.authors);
      if (authorsChanged || !sameColumns(existing, record, publisherId)) updates.push({ id: existing.id, record });
      else result.unchanged += 1;
    }
    result.unchanged += linked.size;

    if (inserts.length > 0) {
      const rows = await connection.query<{ id: number; external_id: string }>(
        `INSERT INTO books (source, external_id, title, isbn10, isbn13, language, publication_year, publisher_id, cover_url)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::text[])
         ON CONFLICT (source, external_id) DO NOTHING
         RETURNING id, external_id`,
        [source, ...bookColumns(inserts, publisherIds)],
      );
      const inserted = new Map(rows.map((row) => [row.external_id, row.id]));
      for (const record of inserts) {
        const id = inserted.get(record.externalId);
        // Absent only if a concurrent import stored the same book between our read and write.
        if (id === undefined) continue;
        ids.set(record, id);
        credits.set(id, record.authors);
      }
      result.inserted += rows.length;
      result.unchanged += inserts.length - rows.length;
    }

    if (updates.length > 0) {
      const [, title, isbn10, isbn13, language, year, publisher, cover] = bookColumns(
        updates.map((update) => update.record),
        publisherIds,
      );
      await connection.query(
        `UPDATE books b SET title = t.title, isbn10 = t.isbn10, isbn13 = t.isbn13, language = t.language,
           publication_year = t.publication_year, publisher_id = t.publisher_id, cover_url = t.cover_url, updated_at = now()
         FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::text[])
           AS t(id, title, isbn10, isbn13, language, publication_year, publisher_id, cover_url)
         WHERE b.id = t.id`,
        [updates.map((update) => update.id), title, isbn10, isbn13, language, year, publisher, cover],
      );
      result.updated += updates.length;
    }

    await setBookAuthors(connection, credits);

    result.onCommit = () => {
      for (const record of batch) firstLineOf.set(record.externalId, record.line);
      for (const [record, id] of ids) options.onBook?.(record, id);
    };
    return result;
  };
}

/**
 * Gives every ISBN to one book: the one that holds it already, else the first
 * record of the batch that claims it. Returns the records linked to another
 * dataset's book instead of being stored (only with `linkByIsbn`).
 */
async function resolveIsbnCollisions(
  connection: SqlConnection,
  options: BookWriterOptions,
  batch: BookRecord[],
  issues: RowIssue[],
): Promise<Map<BookRecord, number>> {
  const linked = new Map<BookRecord, number>();
  const isbn13s = batch.flatMap((record) => (record.isbn13 ? [record.isbn13] : []));
  if (isbn13s.length === 0) return linked;
  const owners = await connection.query<IsbnOwner>(
    // char(n) arrays, so the comparison is char = char and the unique indexes serve it.
    `SELECT id, source, external_id, isbn10, isbn13 FROM books WHERE isbn13 = ANY($1::char(13)[]) OR isbn10 = ANY($2::char(10)[])`,
    [isbn13s, batch.flatMap((record) => (record.isbn10 ? [record.isbn10] : []))],
  );
  const ownerOf = new Map<string, IsbnOwner>();
  for (const owner of owners) {
    if (owner.isbn13) ownerOf.set(owner.isbn13, owner);
    if (owner.isbn10) ownerOf.set(owner.isbn10, owner);
  }
  const claimedInBatch = new Map<string, BookRecord>();
  for (const record of batch) {
    if (!record.isbn13) continue;
    const owner = ownerOf.get(record.isbn13) ?? (record.isbn10 ? ownerOf.get(record.isbn10) : undefined);
    const ownedElsewhere = owner && !(owner.source === options.source && owner.external_id === record.externalId);
    if (ownedElsewhere && options.linkByIsbn && owner.source !== options.source) {
      linked.set(record, owner.id);
      continue;
    }
    const rival = claimedInBatch.get(record.isbn13);
    if (ownedElsewhere || rival) {
      const holder = ownedElsewhere ? `book ${owner.id} (${owner.source} ${owner.external_id ?? "-"})` : `the book at line ${rival!.line}`;
      const { isbn10: isbn10Column, isbn13: isbn13Column } = options.isbnColumns;
      issues.push({ line: record.line, field: isbn13Column, value: record.isbn13, reason: `duplicate ISBN: already belongs to ${holder}` });
      if (record.isbn10 && isbn10Column !== isbn13Column) issues.push({ line: record.line, field: isbn10Column, value: record.isbn10, reason: `duplicate ISBN: already belongs to ${holder}` });
      record.isbn13 = null;
      record.isbn10 = null;
      continue;
    }
    claimedInBatch.set(record.isbn13, record);
  }
  return linked;
}

async function storedBooks(connection: SqlConnection, source: string, externalIds: string[]): Promise<Map<string, StoredBook>> {
  if (externalIds.length === 0) return new Map();
  const rows = await connection.query<StoredBook>(
    `SELECT id, external_id, title, isbn10, isbn13, language, publication_year, publisher_id, cover_url
     FROM books WHERE source = $1 AND external_id = ANY($2::text[])`,
    [source, externalIds],
  );
  return new Map(rows.map((row) => [row.external_id, row]));
}

function bookColumns(records: readonly BookRecord[], publisherIds: ReadonlyMap<string, number>) {
  return [
    records.map((record) => record.externalId),
    records.map((record) => record.title),
    records.map((record) => record.isbn10),
    records.map((record) => record.isbn13),
    records.map((record) => record.language),
    records.map((record) => record.publicationYear),
    records.map((record) => (record.publisher ? publisherIds.get(record.publisher)! : null)),
    records.map((record) => record.coverUrl),
  ] as const;
}

function sameColumns(stored: StoredBook, record: BookRecord, publisherId: number | null): boolean {
  return (
    stored.title === record.title &&
    stored.isbn10 === record.isbn10 &&
    stored.isbn13 === record.isbn13 &&
    stored.language === record.language &&
    stored.publication_year === record.publicationYear &&
    stored.publisher_id === publisherId &&
    stored.cover_url === record.coverUrl
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
