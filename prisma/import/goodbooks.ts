import { join } from "node:path";
import { bookGenreWriter } from "./book-genres-writer.ts";
import { creditedAuthors } from "./book-authors.ts";
import { booksOfSource, type BookResolver } from "./book-resolvers.ts";
import { bookWriter } from "./books-writer.ts";
import { RFC4180_UTF8 } from "./csv-records.ts";
import { count, httpUrl, integerId, isProblem, publicationYear, ratingValue, text } from "./fields.ts";
import { genreWriter } from "./genres-writer.ts";
import { fileExists, importFile, type ImportContext } from "./import-file.ts";
import { repairGoodbooksIsbns } from "./isbn-repair.ts";
import { IMPLICIT_SCALE, ratingWriter } from "./ratings-writer.ts";
import type { BookRecord, BookTagRecord, RatingRecord, ShelfRecord, TagRecord } from "./records.ts";
import { indexes, skip } from "./row-helpers.ts";
import { shelfWriter } from "./shelf-writer.ts";
import type { UserSource } from "./users-writer.ts";

export const GOODBOOKS_SOURCE = "goodbooks";

/**
 * Goodbooks has no dates; its ratings.csv is in time order. Ratings get one
 * second per line from this instant, so "later in the file" stays "later" for
 * time-based splits, and the same file always gives the same timestamps.
 */
export const GOODBOOKS_EPOCH = Date.UTC(2017, 0, 1);
const lineTime = (line: number) => GOODBOOKS_EPOCH + (line - 2) * 1000;

/** Goodbooks rates 1 to 5 stars. */
export const GOODBOOKS_SCALE = 5;

export const GOODBOOKS_USERS: UserSource = { source: GOODBOOKS_SOURCE, displayNamePrefix: "Goodbooks reader", registeredAt: GOODBOOKS_EPOCH };

/** Goodreads' "no cover" placeholder image is no cover. */
const NO_COVER = /\/nophoto\//;

export interface DatasetImportOptions {
  readonly batchSize: number;
  /** Books whose ratings were written; the caller recomputes their averages. */
  readonly affectedBooks: Set<number>;
}

/**
 * Imports the Goodbooks-10k files of `directory` in dependency order: tags, books,
 * book tags, ratings, to-read lists. Only books.csv is required.
 */
export async function importGoodbooks(context: ImportContext, directory: string, options: DatasetImportOptions): Promise<void> {
  const { report } = context;
  const path = (name: string) => join(directory, name);
  const present = async (name: string) => fileExists(path(name));
  if (!(await present("books.csv"))) throw new Error(`${path("books.csv")} not found: not a Goodbooks-10k directory`);
  let usersCreated = 0;

  const genreOfTag = new Map<number, number>();
  if (await present("tags.csv")) {
    await importFile<TagRecord>(context, {
      name: "tags.csv",
      path: path("tags.csv"),
      format: RFC4180_UTF8,
      requiredColumns: ["tag_id", "tag_name"],
      batchSize: options.batchSize,
      write: genreWriter(genreOfTag),
      prepare: (columns) => {
        const [tagId, tagName] = indexes(columns, "tag_id", "tag_name");
        return ({ line, fields }, file) => {
          const id = integerId(fields[tagId]);
          if (id === null) return skip(file, line, `missing tag_id: ${JSON.stringify(fields[tagId] ?? "")}`);
          const name = text(fields[tagName]);
          if (name === null) return skip(file, line, "missing tag_name");
          return { line, tagId: id, name };
        };
      },
    });
  } else {
    report.note("tags.csv absent: no tags imported");
  }

  // book_tags.csv names books by their Goodreads id, which is not stored: remembered while books.csv is read.
  const goodreadsIdOf = new Map<string, number>();
  const bookOfGoodreadsId = new Map<string, number>();
  await importFile<BookRecord>(context, {
    name: "books.csv",
    path: path("books.csv"),
    format: RFC4180_UTF8,
    requiredColumns: ["book_id", "goodreads_book_id", "isbn", "isbn13", "authors", "original_publication_year", "original_title", "title", "language_code", "image_url"],
    batchSize: Math.min(options.batchSize, 2000),
    write: bookWriter({
      source: GOODBOOKS_SOURCE,
      linkByIsbn: false,
      isbnColumns: { isbn10: "isbn", isbn13: "isbn13" },
      onBook: (record, bookId) => {
        const goodreadsId = goodreadsIdOf.get(record.externalId);
        if (goodreadsId !== undefined) bookOfGoodreadsId.set(String(goodreadsId), bookId);
      },
    }),
    prepare: (columns) => {
      const [bookId, goodreadsId, isbn, isbn13, authors, year, originalTitle, title, language, imageUrl] = indexes(
        columns,
        "book_id",
        "goodreads_book_id",
        "isbn",
        "isbn13",
        "authors",
        "original_publication_year",
        "original_title",
        "title",
        "language_code",
        "image_url",
      );
      return ({ line, fields }, file) => {
        const id = integerId(fields[bookId]);
        if (id === null) return skip(file, line, `missing book_id: ${JSON.stringify(fields[bookId] ?? "")}`);
        const bookTitle = text(fields[title]) ?? text(fields[originalTitle]);
        if (bookTitle === null) return skip(file, line, "missing title");
        const externalId = String(id);

        const goodreads = integerId(fields[goodreadsId]);
        if (goodreads === null) {
          if (text(fields[goodreadsId]) !== null) file.drop(line, "goodreads_book_id", fields[goodreadsId]!, "not an id: the book cannot be linked to its tags");
        } else {
          goodreadsIdOf.set(externalId, goodreads);
        }
        const isbns = repairGoodbooksIsbns(fields[isbn], fields[isbn13]);
        for (const dropped of isbns.dropped) file.drop(line, dropped.field, dropped.value, dropped.reason);
        const parsedYear = publicationYear(fields[year]);
        if (isProblem(parsedYear)) file.drop(line, "original_publication_year", fields[year]!, parsedYear.problem);
        const cover = httpUrl(fields[imageUrl]);
        if (isProblem(cover)) file.drop(line, "image_url", fields[imageUrl]!, cover.problem);

        return {
          line,
          externalId,
          title: bookTitle,
          isbn10: isbns.isbn10,
          isbn13: isbns.isbn13,
          language: text(fields[language]),
          publicationYear: isProblem(parsedYear) ? null : parsedYear,
          publisher: null,
          coverUrl: isProblem(cover) || cover === null || NO_COVER.test(cover) ? null : cover,
          authors: creditedAuthors((fields[authors] ?? "").split(",")),
        };
      };
    },
  });

  const books = booksOfSource(GOODBOOKS_SOURCE);
  if (await present("book_tags.csv")) {
    const byGoodreadsId: BookResolver = async (_connection, externalIds) => {
      const ids = new Map<string, number>();
      for (const externalId of externalIds) {
        const id = bookOfGoodreadsId.get(externalId);
        if (id !== undefined) ids.set(externalId, id);
      }
      return ids;
    };
    await importFile<BookTagRecord>(context, {
      name: "book_tags.csv",
      path: path("book_tags.csv"),
      format: RFC4180_UTF8,
      requiredColumns: ["goodreads_book_id", "tag_id", "count"],
      batchSize: options.batchSize,
      write: bookGenreWriter(byGoodreadsId, genreOfTag),
      prepare: (columns) => {
        const [goodreadsId, tagId, tagCount] = indexes(columns, "goodreads_book_id", "tag_id", "count");
        return ({ line, fields }, file) => {
          const book = integerId(fields[goodreadsId]);
          if (book === null) return skip(file, line, `missing goodreads_book_id: ${JSON.stringify(fields[goodreadsId] ?? "")}`);
          const tag = integerId(fields[tagId]);
          if (tag === null) return skip(file, line, `missing tag_id: ${JSON.stringify(fields[tagId] ?? "")}`);
          const weight = count(fields[tagCount]);
          if (isProblem(weight)) file.drop(line, "count", fields[tagCount]!, `${weight.problem}: weight 1 kept`);
          return { line, bookExternalId: String(book), tagId: tag, weight: isProblem(weight) || weight === null ? 1 : weight };
        };
      },
    });
  } else {
    report.note("book_tags.csv absent: tags are not linked to books");
  }

  if (await present("ratings.csv")) {
    await importFile<RatingRecord>(context, {
      name: "ratings.csv",
      path: path("ratings.csv"),
      format: RFC4180_UTF8,
      requiredColumns: ["user_id", "book_id", "rating"],
      batchSize: options.batchSize,
      write: ratingWriter({
        users: GOODBOOKS_USERS,
        books,
        affectedBooks: options.affectedBooks,
        onUsersCreated: (created) => (usersCreated += created),
      }),
      prepare: (columns) => {
        const [userId, bookId, rating] = indexes(columns, "user_id", "book_id", "rating");
        return ({ line, fields }, file) => {
          const user = integerId(fields[userId]);
          if (user === null) return skip(file, line, `missing user_id: ${JSON.stringify(fields[userId] ?? "")}`);
          const book = integerId(fields[bookId]);
          if (book === null) return skip(file, line, `missing book_id: ${JSON.stringify(fields[bookId] ?? "")}`);
          const value = ratingValue(fields[rating], 1, 5);
          if (isProblem(value)) file.drop(line, "rating", fields[rating] ?? "", `${value.problem}: kept as an implicit rating (scale 0)`);
          return {
            line,
            userExternalId: String(user),
            bookExternalId: String(book),
            rating: isProblem(value) ? 0 : value,
            scale: isProblem(value) ? IMPLICIT_SCALE : GOODBOOKS_SCALE,
            createdAt: lineTime(line),
          };
        };
      },
    });
  } else {
    report.note("ratings.csv absent: no ratings imported");
  }

  if (await present("to_read.csv")) {
    await importFile<ShelfRecord>(context, {
      name: "to_read.csv",
      path: path("to_read.csv"),
      format: RFC4180_UTF8,
      requiredColumns: ["user_id", "book_id"],
      batchSize: options.batchSize,
      write: shelfWriter(GOODBOOKS_USERS, books),
      prepare: (columns) => {
        const [userId, bookId] = indexes(columns, "user_id", "book_id");
        return ({ line, fields }, file) => {
          const user = integerId(fields[userId]);
          if (user === null) return skip(file, line, `missing user_id: ${JSON.stringify(fields[userId] ?? "")}`);
          const book = integerId(fields[bookId]);
          if (book === null) return skip(file, line, `missing book_id: ${JSON.stringify(fields[bookId] ?? "")}`);
          return { line, userExternalId: String(user), bookExternalId: String(book), createdAt: lineTime(line) };
        };
      },
    });
  } else {
    report.note("to_read.csv absent: no to-read shelves imported");
  }
  if (usersCreated > 0) report.note(`${usersCreated} readers created from ratings`);
}
