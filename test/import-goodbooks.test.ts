import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { maxPublicationYear } from "../prisma/import/fields.ts";
import { GOODBOOKS_EPOCH } from "../prisma/import/goodbooks.ts";
import { importDataset } from "../prisma/import/importer.ts";
import type { ImportIssue, ImportSummary } from "../prisma/import/report.ts";
import { importedTablesState } from "../prisma/import/table-checksum.ts";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";
import { counts, describeIssues, fileOf, readIssues } from "./support/import-report.ts";

const BOOK_COLUMNS = [
  "book_id", "goodreads_book_id", "best_book_id", "work_id", "books_count", "isbn", "isbn13", "authors", "original_publication_year",
  "original_title", "title", "language_code", "average_rating", "ratings_count", "work_ratings_count", "work_text_reviews_count",
  "ratings_1", "ratings_2", "ratings_3", "ratings_4", "ratings_5", "image_url", "small_image_url",
];

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** A books.csv line in the published layout; the columns the importer ignores get plausible values. */
function bookLine(book: { id: number; goodreads: number; isbn: string; isbn13: string; authors: string; year: string; originalTitle: string; title: string; language?: string; image?: string }): string {
  const values: Record<string, string> = {
    book_id: String(book.id),
    goodreads_book_id: String(book.goodreads),
    best_book_id: String(book.goodreads),
    work_id: String(book.goodreads + 100),
    books_count: "10",
    isbn: book.isbn,
    isbn13: book.isbn13,
    authors: book.authors,
    original_publication_year: book.year,
    original_title: book.originalTitle,
    title: book.title,
    language_code: book.language ?? "eng",
    average_rating: "4.1",
    ratings_count: "1000",
    work_ratings_count: "1100",
    work_text_reviews_count: "50",
    ratings_1: "10",
    ratings_2: "20",
    ratings_3: "30",
    ratings_4: "40",
    ratings_5: "50",
    image_url: book.image ?? `https://images.gr-assets.com/books/${book.goodreads}m.jpg`,
    small_image_url: `https://images.gr-assets.com/books/${book.goodreads}s.jpg`,
  };
  return BOOK_COLUMNS.map((column) => csvField(values[column]!)).join(",");
}

// Line numbers in the comments are the file's; the assertions below rely on them.
const BOOKS_CSV = [
  BOOK_COLUMNS.join(","),
  /* 2 */ bookLine({ id: 1, goodreads: 2767052, isbn: "439023483", isbn13: "9.78043902348e+12", authors: "Suzanne Collins", year: "2008.0", originalTitle: "The Hunger Games", title: "The Hunger Games (The Hunger Games, #1)" }),
  /* 3 */ bookLine({ id: 2, goodreads: 3, isbn: "439554934", isbn13: "9.78043955493e+12", authors: "J.K. Rowling, Mary GrandPré", year: "1997.0", originalTitle: "Harry Potter and the Philosopher's Stone", title: "Harry Potter and the Sorcerer's Stone (Harry Potter, #1)" }),
  /* 4 */ bookLine({ id: 3, goodreads: 41865, isbn: "316015849", isbn13: "9.78031601584e+12", authors: "Stephenie Meyer", year: "2005.0", originalTitle: "", title: "" }),
  /* 5 */ bookLine({ id: 4, goodreads: 2657, isbn: "61120081", isbn13: "9.78006112008e+12", authors: "Harper Lee", year: "2999.0", originalTitle: "To Kill a Mockingbird", title: "To Kill a Mockingbird" }),
  /* 6 */ bookLine({ id: 5, goodreads: 4671, isbn: "123456788", isbn13: "9.78123456789e+12", authors: "F. Scott Fitzgerald", year: "1925.0", originalTitle: "The Great Gatsby", title: "The Great Gatsby", image: "https://s.gr-assets.com/assets/nophoto/book/111x148-bcc042a9c91a29c1d680899eff700a03.png" }),
  /* 7 */ `6,11870085,11870085,16827462,226,525478817,9.78052547881e+12,John Green,2012.0,The Fault in Our Stars,"The Fault "in" Our Stars",eng,4.26,2346404,2478609,140739,47994,92723,327550,698471,1311871,https://x/y.jpg,https://x/z.jpg`,
  /* 8 */ `7,5907,5907,1540236,969,618260307,9.7806182603e+12,J.R.R. Tolkien,1937.0,The Hobbit`,
  /* 9 */ bookLine({ id: 8, goodreads: 10917, isbn: "1590302257", isbn13: "9.78159030225e+12", authors: "Sun Tzu, Thomas Cleary", year: "-500.0", originalTitle: "孫子兵法", title: "The Art of War" }),
  /* 10 */ bookLine({ id: 1, goodreads: 999, isbn: "", isbn13: "", authors: "Someone Else", year: "2001", originalTitle: "Duplicate", title: "Duplicate" }),
  /* 11 */ bookLine({ id: 9, goodreads: 77203, isbn: "439023483", isbn13: "", authors: "Suzanne Collins, Suzanne Collins", year: "2008", originalTitle: "", title: "The Hunger Games (Special Edition)" }),
].join("\n");

const TAGS_CSV = ["tag_id,tag_name", /* 2 */ "0,to-read", /* 3 */ "1,fantasy", /* 4 */ "2,to read", /* 5 */ "3,", /* 6 */ "1,duplicate id"].join("\n");

const BOOK_TAGS_CSV = [
  "goodreads_book_id,tag_id,count",
  /* 2 */ "2767052,1,120",
  /* 3 */ "2767052,0,-3",
  /* 4 */ "3,0,40",
  /* 5 */ "555555,1,7",
  /* 6 */ "3,77,5",
  /* 7 */ "2767052,1,9",
].join("\r\n");

const RATINGS_CSV = [
  "user_id,book_id,rating",
  /* 2 */ "1,1,5",
  /* 3 */ "1,2,4",
  /* 4 */ "2,1,3",
  /* 5 */ "2,99,4",
  /* 6 */ "2,2,7",
  /* 7 */ "x,1,3",
  /* 8 */ "1,1,2",
  /* 9 */ "3,4,5",
  /* 10 */ "3,5,1,9",
  "",
].join("\n");

const TO_READ_CSV = ["user_id,book_id", /* 2 */ "1,4", /* 3 */ "3,1", /* 4 */ "1,4", /* 5 */ "4,404"].join("\n");





for (const target of databaseTargets()) {
  describe(`npm run import -- goodbooks (${target.name})`, () => {
    let database: TestDatabase;
    let db: Database;
    let directory: string;
    let first: ImportSummary;
    let issues: ImportIssue[];

    before(async () => {
      database = await target.create();
      db = database.db;
      await applyMigrations(db);
      directory = await mkdtemp(join(tmpdir(), "goodbooks-fixture-"));
      await writeFile(join(directory, "books.csv"), BOOKS_CSV);
      await writeFile(join(directory, "tags.csv"), TAGS_CSV);
      await writeFile(join(directory, "book_tags.csv"), BOOK_TAGS_CSV);
      await writeFile(join(directory, "ratings.csv"), RATINGS_CSV);
      await writeFile(join(directory, "to_read.csv"), TO_READ_CSV);
      first = await importDataset(db, { dataset: "goodbooks", directory, reportPath: join(directory, "report-1.jsonl"), batchSize: 3 });
      issues = await readIssues(join(directory, "report-1.jsonl"));
    });
    after(async () => {
      await database?.drop();
      if (directory) await rm(directory, { recursive: true, force: true });
    });

    it("keeps good books, skips books it cannot use and drops fields it cannot repair, reporting each with its line", async () => {
      assert.deepEqual(counts(fileOf(first, "books.csv")), { read: 10, inserted: 6, updated: 0, unchanged: 0, skipped: 4, dropped: 6 });
      assert.deepEqual(describeIssues(issues, "books.csv"), [
        "4 skipped: missing title",
        `5 dropped original_publication_year: impossible publication year (allowed 1 to ${maxPublicationYear()})`,
        "6 dropped isbn: invalid ISBN-10",
        "6 dropped isbn13: invalid ISBN-13",
        "7 skipped: broken quoting (Invalid Closing Quote",
        "8 skipped: expected 23 columns, got 10",
        `9 dropped original_publication_year: impossible publication year (allowed 1 to ${maxPublicationYear()})`,
        "10 skipped: duplicate book",
        "11 dropped isbn: duplicate ISBN",
        "11 dropped isbn13: duplicate ISBN",
      ]);
      const books = await db.withConnection((connection) =>
        connection.query<{ external_id: string; title: string; isbn10: string | null; isbn13: string | null; publication_year: number | null; cover_url: string | null; language: string | null }>(
          "SELECT external_id, title, isbn10, isbn13, publication_year, cover_url, language FROM books WHERE source = 'goodbooks' ORDER BY external_id::int",
        ),
      );
      assert.deepEqual(
        books.map((book) => [book.external_id, book.title, book.isbn10, book.isbn13, book.publication_year]),
        [
          ["1", "The Hunger Games (The Hunger Games, #1)", "0439023483", "9780439023481", 2008],
          ["2", "Harry Potter and the Sorcerer's Stone (Harry Potter, #1)", "0439554934", "9780439554930", 1997],
          ["4", "To Kill a Mockingbird", "0061120081", "9780061120084", null],
          ["5", "The Great Gatsby", null, null, 1925],
          ["8", "The Art of War", "1590302257", "9781590302255", null],
          ["9", "The Hunger Games (Special Edition)", null, null, 2008],
        ],
      );
      assert.equal(books.find((book) => book.external_id === "5")!.cover_url, null, "Goodreads' no-photo placeholder is no cover");
      assert.equal(books.find((book) => book.external_id === "1")!.cover_url, "https://images.gr-assets.com/books/2767052m.jpg");
      assert.equal(books.find((book) => book.external_id === "1")!.language, "eng");
    });

    it("credits authors in order, once each", async () => {
      const credits = await db.withConnection((connection) =>
        connection.query<{ external_id: string; authors: string[] }>(
          `SELECT b.external_id, array_agg(a.name ORDER BY ba.position) AS authors
           FROM books b JOIN book_authors ba ON ba.book_id = b.id JOIN authors a ON a.id = ba.author_id
           GROUP BY b.external_id ORDER BY b.external_id::int`,
        ),
      );
      assert.deepEqual(
        credits.map((row) => [row.external_id, row.authors]),
        [
          ["1", ["Suzanne Collins"]],
          ["2", ["J.K. Rowling", "Mary GrandPré"]],
          ["4", ["Harper Lee"]],
          ["5", ["F. Scott Fitzgerald"]],
          ["8", ["Sun Tzu", "Thomas Cleary"]],
          ["9", ["Suzanne Collins"]],
        ],
      );
    });

    it("stores tags as genres with unique slugs and links them to books by Goodreads id", async () => {
      assert.deepEqual(counts(fileOf(first, "tags.csv")), { read: 5, inserted: 3, updated: 0, unchanged: 0, skipped: 2, dropped: 0 });
      assert.deepEqual(describeIssues(issues, "tags.csv"), ["5 skipped: missing tag_name", "6 skipped: duplicate tag"]);
      const genres = await db.withConnection((connection) => connection.query<{ name: string; slug: string }>("SELECT name, slug FROM genres ORDER BY id"));
      assert.deepEqual(genres, [
        { name: "to-read", slug: "to-read" },
        { name: "fantasy", slug: "fantasy" },
        { name: "to read", slug: "to-read-2" },
      ]);
      assert.deepEqual(counts(fileOf(first, "book_tags.csv")), { read: 6, inserted: 3, updated: 0, unchanged: 0, skipped: 3, dropped: 1 });
      assert.deepEqual(describeIssues(issues, "book_tags.csv"), [
        "3 dropped count: not a non-negative whole number",
        "5 skipped: unknown book",
        "6 skipped: unknown tag",
        "7 skipped: duplicate book tag",
      ]);
      const links = await db.withConnection((connection) =>
        connection.query<{ external_id: string; name: string; weight: number }>(
          "SELECT b.external_id, g.name, bg.weight FROM book_genres bg JOIN books b ON b.id = bg.book_id JOIN genres g ON g.id = bg.genre_id ORDER BY b.external_id, g.name",
        ),
      );
      assert.deepEqual(
        links.map((link) => [link.external_id, link.name, link.weight]),
        [
          ["1", "fantasy", 120],
          ["1", "to-read", 1],
          ["2", "to-read", 40],
        ],
      );
    });

    it("imports ratings in file order, skipping unknown books and duplicates, keeping out-of-range ones as implicit", async () => {
      assert.deepEqual(counts(fileOf(first, "ratings.csv")), { read: 9, inserted: 5, updated: 0, unchanged: 0, skipped: 4, dropped: 1 });
      assert.deepEqual(describeIssues(issues, "ratings.csv"), [
        "5 skipped: unknown book",
        "6 dropped rating: rating out of range (allowed 1 to 5)",
        "7 skipped: missing user_id",
        "8 skipped: duplicate rating",
        "10 skipped: expected 3 columns, got 4",
      ]);
      const ratings = await db.withConnection((connection) =>
        connection.query<{ user: string; book: string; rating: number; scale: number; created_ms: number }>(
          `SELECT u.external_id AS user, b.external_id AS book, r.rating, r.scale, (extract(epoch FROM r.created_at) * 1000)::float8 AS created_ms
           FROM ratings r JOIN users u ON u.id = r.user_id JOIN books b ON b.id = r.book_id ORDER BY r.created_at`,
        ),
      );
      assert.deepEqual(
        ratings.map((row) => [row.user, row.book, row.rating, row.scale, Math.round(row.created_ms) - GOODBOOKS_EPOCH]),
        [
          ["1", "1", 5, 5, 0],
          ["1", "2", 4, 5, 1000],
          ["2", "1", 3, 5, 2000],
          ["2", "2", 0, 0, 4000],
          ["3", "4", 5, 5, 7000],
        ],
        "one second per line from the epoch; the out-of-range rating is kept as implicit (rating 0, scale 0)",
      );
      const users = await db.withConnection((connection) =>
        connection.query<{ external_id: string; display_name: string; source: string }>("SELECT external_id, display_name, source FROM users ORDER BY external_id"),
      );
      assert.deepEqual(users.map((user) => [user.source, user.external_id, user.display_name]), [
        ["goodbooks", "1", "Goodbooks reader 1"],
        ["goodbooks", "2", "Goodbooks reader 2"],
        ["goodbooks", "3", "Goodbooks reader 3"],
      ]);
    });

    it("recomputes average rating and count from explicit ratings only", async () => {
      const aggregates = await db.withConnection((connection) =>
        connection.query<{ external_id: string; average_rating: number; ratings_count: number }>(
          "SELECT external_id, average_rating, ratings_count FROM books ORDER BY external_id::int",
        ),
      );
      assert.deepEqual(
        aggregates.map((book) => [book.external_id, book.average_rating, book.ratings_count]),
        [
          ["1", 4, 2],
          ["2", 4, 1],
          ["4", 5, 1],
          ["5", 0, 0],
          ["8", 0, 0],
          ["9", 0, 0],
        ],
      );
    });

    it("stores to-read lists as bookmarks", async () => {
      assert.deepEqual(counts(fileOf(first, "to_read.csv")), { read: 4, inserted: 2, updated: 0, unchanged: 0, skipped: 2, dropped: 0 });
      assert.deepEqual(describeIssues(issues, "to_read.csv"), ["4 skipped: duplicate shelf entry", "5 skipped: unknown book"]);
    });

    it("changes nothing when run a second time: no inserts or updates, identical tables", async () => {
      const before = await importedTablesState(db);
      const second = await importDataset(db, { dataset: "goodbooks", directory, reportPath: join(directory, "report-2.jsonl"), batchSize: 4 });
      const afterwards = await importedTablesState(db);
      assert.deepEqual(afterwards, before);
      for (const file of second.files) {
        assert.equal(file.inserted, 0, `${file.file} inserts nothing`);
        assert.equal(file.updated, 0, `${file.file} updates nothing`);
        const firstRun = fileOf(first, file.file);
        assert.equal(file.unchanged, firstRun.inserted, `${file.file}: every row written the first time is found unchanged`);
        assert.equal(file.skipped, firstRun.skipped, `${file.file} skips the same rows`);
      }
      assert.deepEqual(describeIssues(await readIssues(join(directory, "report-2.jsonl")), "ratings.csv"), describeIssues(issues, "ratings.csv"));
      assert.equal(before.ratings!.rows, 5);
    });

    it("notes the files that are absent and what that means", async () => {
      const partial = await mkdtemp(join(tmpdir(), "goodbooks-partial-"));
      try {
        await writeFile(join(partial, "books.csv"), BOOKS_CSV);
        const summary = await importDataset(db, { dataset: "goodbooks", directory: partial, reportPath: null });
        assert.ok(summary.notes.includes("book_tags.csv absent: tags are not linked to books"));
        assert.deepEqual(counts(fileOf(summary, "books.csv")), { read: 10, inserted: 0, updated: 0, unchanged: 6, skipped: 4, dropped: 6 });
        await assert.rejects(importDataset(db, { dataset: "goodbooks", directory: join(partial, "nowhere"), reportPath: null }), /nowhere is not a directory/);
        await mkdir(join(partial, "empty"));
        await assert.rejects(importDataset(db, { dataset: "goodbooks", directory: join(partial, "empty"), reportPath: null }), /books\.csv not found/);
      } finally {
        await rm(partial, { recursive: true, force: true });
      }
    });

    it("applies an edited file as updates of exactly the rows that changed", async () => {
      const edited = await mkdtemp(join(tmpdir(), "goodbooks-edited-"));
      try {
        await writeFile(join(edited, "books.csv"), BOOKS_CSV.replace("To Kill a Mockingbird,To Kill a Mockingbird", "To Kill a Mockingbird,To Kill a Mockingbird (50th Anniversary)").replace('"J.K. Rowling, Mary GrandPré"', "J.K. Rowling"));
        await writeFile(join(edited, "ratings.csv"), RATINGS_CSV.replace("\n2,1,3\n", "\n2,1,1\n"));
        const stamps = async () =>
          new Map(
            (await db.withConnection((connection) => connection.query<{ external_id: string; updated_at: Date }>("SELECT external_id, updated_at FROM books"))).map((row) => [
              row.external_id,
              row.updated_at.getTime(),
            ]),
          );
        const before = await stamps();
        const summary = await importDataset(db, { dataset: "goodbooks", directory: edited, reportPath: null });
        assert.deepEqual(counts(fileOf(summary, "books.csv")), { read: 10, inserted: 0, updated: 2, unchanged: 4, skipped: 4, dropped: 6 });
        assert.deepEqual(counts(fileOf(summary, "ratings.csv")), { read: 9, inserted: 0, updated: 1, unchanged: 4, skipped: 4, dropped: 1 });
        const afterwards = await stamps();
        const moved = [...afterwards].filter(([id, stamp]) => stamp !== before.get(id)).map(([id]) => id).sort();
        assert.deepEqual(moved, ["1", "2", "4"], "the two edited books, and book 1 whose average changed");
        const rows = await db.withConnection((connection) =>
          connection.query<{ external_id: string; title: string; average_rating: number; authors: string[] }>(
            `SELECT b.external_id, b.title, b.average_rating, array(SELECT a.name FROM book_authors ba JOIN authors a ON a.id = ba.author_id WHERE ba.book_id = b.id ORDER BY ba.position) AS authors
             FROM books b WHERE b.external_id IN ('1', '2', '4') ORDER BY b.external_id`,
          ),
        );
        assert.deepEqual(
          rows.map((row) => [row.external_id, row.title, row.average_rating, row.authors]),
          [
            ["1", "The Hunger Games (The Hunger Games, #1)", 3, ["Suzanne Collins"]],
            ["2", "Harry Potter and the Sorcerer's Stone (Harry Potter, #1)", 4, ["J.K. Rowling"]],
            ["4", "To Kill a Mockingbird (50th Anniversary)", 5, ["Harper Lee"]],
          ],
        );
      } finally {
        await rm(edited, { recursive: true, force: true });
      }
    });
  });
}
