import { join } from "node:path";
import { cleanIsbn, normalizeIsbn } from "../../lib/isbn.ts";
import { ageGroupOf } from "./age-group.ts";
import { creditedAuthors } from "./book-authors.ts";
import { booksOfSourceOrIsbn } from "./book-resolvers.ts";
import { bookWriter } from "./books-writer.ts";
import { countryCodeOf } from "./country.ts";
import type { CsvFormat } from "./csv-records.ts";
import { decodeHtmlEntities, httpUrl, integerId, isProblem, publicationYear, ratingValue, text } from "./fields.ts";
import type { DatasetImportOptions } from "./goodbooks.ts";
import { fileExists, importFile, type ImportContext } from "./import-file.ts";
import { IMPLICIT_SCALE, ratingWriter } from "./ratings-writer.ts";
import type { BookRecord, RatingRecord, UserRecord } from "./records.ts";
import { indexes, skip } from "./row-helpers.ts";
import { userWriter, type UserSource } from "./users-writer.ts";

export const BOOKCROSSING_SOURCE = "bookcrossing";

/** Semicolons, Latin-1 and backslash-escaped quotes; no record spans lines, so a broken quote costs one line. */
export const BOOKCROSSING_CSV: CsvFormat = { delimiter: ";", encoding: "latin1", escape: "\\", multilineFields: false };

/**
 * Book-Crossing was crawled in August-September 2004 and has no dates either:
 * ratings get one second per line of BX-Book-Ratings.csv from this instant.
 */
export const BOOKCROSSING_EPOCH = Date.UTC(2004, 7, 1);
const lineTime = (line: number) => BOOKCROSSING_EPOCH + (line - 2) * 1000;

export const BOOKCROSSING_USERS: UserSource = { source: BOOKCROSSING_SOURCE, displayNamePrefix: "Book-Crossing reader", registeredAt: BOOKCROSSING_EPOCH };

/**
 * Book-Crossing rates 1 to 10, and 0 for "implicit" (the reader has the book
 * but gave no rating). Both go to `ratings`: explicit ones with scale 10, implicit
 * ones as rating 0 with scale 0, the project's mark of an implicit rating, which
 * averages and counts leave out and the models weigh as implicit interest.
 */
export const BOOKCROSSING_SCALE = 10;

/** Imports BX-Books.csv, BX-Users.csv and BX-Book-Ratings.csv of `directory`, whichever are present. */
export async function importBookCrossing(context: ImportContext, directory: string, options: DatasetImportOptions): Promise<void> {
  const { report } = context;
  const path = (name: string) => join(directory, name);
  const names = ["BX-Books.csv", "BX-Users.csv", "BX-Book-Ratings.csv"] as const;
  const present = new Map(await Promise.all(names.map(async (name) => [name, await fileExists(path(name))] as const)));
  if (![...present.values()].some(Boolean)) throw new Error(`none of ${names.join(", ")} found in ${directory}: not a Book-Crossing directory`);

  if (present.get("BX-Books.csv")) {
    await importFile<BookRecord>(context, {
      name: "BX-Books.csv",
      path: path("BX-Books.csv"),
      format: BOOKCROSSING_CSV,
      requiredColumns: ["ISBN", "Book-Title", "Book-Author", "Year-Of-Publication", "Publisher", "Image-URL-M"],
      batchSize: Math.min(options.batchSize, 2000),
      write: bookWriter({ source: BOOKCROSSING_SOURCE, linkByIsbn: true, isbnColumns: { isbn10: "ISBN", isbn13: "ISBN" } }),
      prepare: (columns) => {
        const [isbn, title, author, year, publisher, imageUrl] = indexes(columns, "ISBN", "Book-Title", "Book-Author", "Year-Of-Publication", "Publisher", "Image-URL-M");
        return ({ line, fields }, file) => {
          const rawIsbn = text(fields[isbn]);
          if (rawIsbn === null) return skip(file, line, "missing ISBN");
          const bookTitle = text(decodeHtmlEntities(fields[title] ?? ""));
          if (bookTitle === null) return skip(file, line, "missing title");
          const isbns = normalizeIsbn(rawIsbn);
          if (!isbns) file.drop(line, "ISBN", rawIsbn, "invalid ISBN: the book is kept under it as written, without an ISBN");
          const parsedYear = publicationYear(fields[year], true);
          if (isProblem(parsedYear)) file.drop(line, "Year-Of-Publication", fields[year]!, parsedYear.problem);
          const cover = httpUrl(fields[imageUrl]);
          if (isProblem(cover)) file.drop(line, "Image-URL-M", fields[imageUrl]!, cover.problem);
          return {
            line,
            externalId: cleanIsbn(rawIsbn),
            title: bookTitle,
            isbn10: isbns?.isbn10 ?? null,
            isbn13: isbns?.isbn13 ?? null,
            language: null,
            publicationYear: isProblem(parsedYear) ? null : parsedYear,
            publisher: text(decodeHtmlEntities(fields[publisher] ?? "")),
            coverUrl: isProblem(cover) ? null : cover,
            authors: creditedAuthors([decodeHtmlEntities(fields[author] ?? "")]),
          };
        };
      },
    });
  } else {
    report.note("BX-Books.csv absent: ratings can only attach to books already stored with the same ISBN");
  }

  if (present.get("BX-Users.csv")) {
    let unrecognisedCountries = 0;
    await importFile<UserRecord>(context, {
      name: "BX-Users.csv",
      path: path("BX-Users.csv"),
      format: BOOKCROSSING_CSV,
      requiredColumns: ["User-ID", "Location", "Age"],
      batchSize: options.batchSize,
      write: userWriter(BOOKCROSSING_USERS),
      prepare: (columns) => {
        const [userId, location, age] = indexes(columns, "User-ID", "Location", "Age");
        return ({ line, fields }, file) => {
          const id = integerId(fields[userId]);
          if (id === null) return skip(file, line, `missing User-ID: ${JSON.stringify(fields[userId] ?? "")}`);
          const ageGroup = ageGroupOf(fields[age]);
          if (isProblem(ageGroup)) file.drop(line, "Age", fields[age]!, ageGroup.problem);
          const place = text(fields[location]);
          const country = countryCodeOf(place);
          if (place !== null && country === null) unrecognisedCountries += 1;
          return { line, externalId: String(id), ageGroup: isProblem(ageGroup) ? null : ageGroup, country };
        };
      },
    });
    if (unrecognisedCountries > 0) report.note(`BX-Users.csv: ${unrecognisedCountries} locations name no recognisable country (country left unknown)`);
  } else {
    report.note("BX-Users.csv absent: readers are created from their ratings, without age or country");
  }

  if (present.get("BX-Book-Ratings.csv")) {
    let usersCreated = 0;
    await importFile<RatingRecord>(context, {
      name: "BX-Book-Ratings.csv",
      path: path("BX-Book-Ratings.csv"),
      format: BOOKCROSSING_CSV,
      requiredColumns: ["User-ID", "ISBN", "Book-Rating"],
      batchSize: options.batchSize,
      write: ratingWriter({
        users: BOOKCROSSING_USERS,
        books: booksOfSourceOrIsbn(BOOKCROSSING_SOURCE),
        affectedBooks: options.affectedBooks,
        onUsersCreated: (created) => (usersCreated += created),
      }),
      prepare: (columns) => {
        const [userId, isbn, rating] = indexes(columns, "User-ID", "ISBN", "Book-Rating");
        return ({ line, fields }, file) => {
          const user = integerId(fields[userId]);
          if (user === null) return skip(file, line, `missing User-ID: ${JSON.stringify(fields[userId] ?? "")}`);
          const rawIsbn = text(fields[isbn]);
          if (rawIsbn === null) return skip(file, line, "missing ISBN");
          const value = ratingValue(fields[rating], 0, BOOKCROSSING_SCALE);
          if (isProblem(value)) file.drop(line, "Book-Rating", fields[rating] ?? "", `${value.problem}: kept as an implicit rating (scale 0)`);
          return {
            line,
            userExternalId: String(user),
            bookExternalId: cleanIsbn(rawIsbn),
            rating: isProblem(value) ? 0 : value,
            scale: isProblem(value) || value === 0 ? IMPLICIT_SCALE : BOOKCROSSING_SCALE,
            createdAt: lineTime(line),
          };
        };
      },
    });
    if (usersCreated > 0) report.note(`BX-Book-Ratings.csv: ${usersCreated} readers absent from BX-Users.csv were created from their ratings`);
  }
}
