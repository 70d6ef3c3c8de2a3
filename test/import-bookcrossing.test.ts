import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { BOOKCROSSING_EPOCH } from "../prisma/import/bookcrossing.ts";
import { maxPublicationYear } from "../prisma/import/fields.ts";
import { importDataset } from "../prisma/import/importer.ts";
import type { ImportIssue, ImportSummary } from "../prisma/import/report.ts";
import { importedTablesState } from "../prisma/import/table-checksum.ts";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";
import { counts, describeIssues, fileOf, readIssues } from "./support/import-report.ts";

const image = (isbn: string, size: string) => `"http://images.amazon.com/images/P/${isbn}.01.${size}.jpg"`;
const bookLine = (isbn: string, title: string, author: string, year: string, publisher: string) =>
  `"${isbn}";"${title}";"${author}";"${year}";"${publisher}";${image(isbn, "THUMBZZZ")};${image(isbn, "MZZZZZZZ")};${image(isbn, "LZZZZZZZ")}`;

// Line numbers in the comments are the file's; the assertions below rely on them.
const BOOKS = [
  `"ISBN";"Book-Title";"Book-Author";"Year-Of-Publication";"Publisher";"Image-URL-S";"Image-URL-M";"Image-URL-L"`,
  /* 2 */ bookLine("0195153448", "Classical Mythology", "Mark P. O. Morford", "2002", "Oxford University Press"),
  /* 3 */ bookLine("3257224281", "Der Fluch der Müllers", "Friedrich Müller", "1998", "Diogenes Verlag"),
  /* 4 */ `"078946697X";"DK Readers: Creating the X-Men, How It All Began (Level 4: Proficient Readers)\\";"Michael Teitelbaum";"2000";"DK Publishing Inc";${image("078946697X", "M")};${image("078946697X", "M")};${image("078946697X", "L")}`,
  /* 5 */ bookLine("12345", "A Book With A Bad ISBN", "Nobody", "1999", "Small Press"),
  /* 6 */ bookLine("0316015849", 'Sweet \\"Valley\\" High', "Francine Pascal", "2999", "Bantam"),
  /* 7 */ bookLine("0374157065", "", "Gina Kolata", "1999", "Farrar"),
  /* 8 */ bookLine("0060973129", "Decision in Normandy", "Carlo D'Este", "0", "HarperPerennial"),
  /* 9 */ `"0399135782";"The Kitchen God's Wife";"Amy Tan"`,
  /* 10 */ bookLine("0679425608", "Pride &amp; Prejudice", "Jane Austen", "1813", "Modern Library"),
  /* 11 */ bookLine("0439023483", "The Hunger Games (Book-Crossing copy)", "Suzanne Collins", "2008", "Scholastic"),
].join("\n");

const USERS = [
  `"User-ID";"Location";"Age"`,
  /* 2 */ `"1";"nyc, new york, usa";NULL`,
  /* 3 */ `"2";"stockton, california, usa";"18"`,
  /* 4 */ `"3";"köln, nrw, germany";"244"`,
  /* 5 */ `"4";"somewhere, nowhere land";"35"`,
  /* 6 */ `"x";"broken";"20"`,
  /* 7 */ `"5";"porto, v.n.gaia, portugal";"0"`,
].join("\r\n");

const RATINGS = [
  `"User-ID";"ISBN";"Book-Rating"`,
  /* 2 */ `"1";"0195153448";"0"`,
  /* 3 */ `"2";"0195153448";"8"`,
  /* 4 */ `"2";"3257224281";"10"`,
  /* 5 */ `"3";"9999999999";"5"`,
  /* 6 */ `"4";"12345";"11"`,
  /* 7 */ `"6";"0195153448";"7"`,
  /* 8 */ `"2";"0195153448";"3"`,
  /* 9 */ `"1";"034545104X";"5`,
  /* 10 */ `"3";"0060973129";"9"`,
  /* 11 */ `"5";"0-439-02348-3";"6"`,
].join("\n");

const latin1 = (text: string) => Buffer.from(text, "latin1");


for (const target of databaseTargets()) {
  describe(`npm run import -- bookcrossing (${target.name})`, () => {
    let database: TestDatabase;
    let db: Database;
    let directory: string;
    let first: ImportSummary;
    let issues: ImportIssue[];
    let goodbooksBookId: number;

    before(async () => {
      database = await target.create();
      db = database.db;
      await applyMigrations(db);
      // A book another dataset imported first: Book-Crossing's copy of the same ISBN is linked to it.
      const [row] = await db.withConnection((connection) =>
        connection.query<{ id: number }>(
          `INSERT INTO books (source, external_id, title, isbn10, isbn13) VALUES ('goodbooks', '1', 'The Hunger Games', '0439023483', '9780439023481') RETURNING id`,
        ),
      );
      goodbooksBookId = row!.id;
      directory = await mkdtemp(join(tmpdir(), "bookcrossing-fixture-"));
      await writeFile(join(directory, "BX-Books.csv"), latin1(BOOKS));
      await writeFile(join(directory, "BX-Users.csv"), latin1(USERS));
      await writeFile(join(directory, "BX-Book-Ratings.csv"), latin1(RATINGS));
      first = await importDataset(db, { dataset: "bookcrossing", directory, reportPath: join(directory, "report-1.jsonl"), batchSize: 4 });
      issues = await readIssues(join(directory, "report-1.jsonl"));
    });
    after(async () => {
      await database?.drop();
      if (directory) await rm(directory, { recursive: true, force: true });
    });

    it("reads semicolon-separated Latin-1 with backslash-escaped quotes, skipping broken lines only", async () => {
      assert.deepEqual(counts(fileOf(first, "BX-Books.csv")), { read: 10, inserted: 6, updated: 0, unchanged: 1, skipped: 3, dropped: 2 });
      assert.deepEqual(describeIssues(issues, "BX-Books.csv"), [
        "4 skipped: broken quoting (Invalid Closing Quote",
        "5 dropped ISBN: invalid ISBN",
        `6 dropped Year-Of-Publication: impossible publication year (allowed 1 to ${maxPublicationYear()})`,
        "7 skipped: missing title",
        "9 skipped: expected 8 columns, got 3",
      ]);
      const books = await db.withConnection((connection) =>
        connection.query<{ external_id: string; title: string; isbn13: string | null; publication_year: number | null; publisher: string | null; authors: string[]; cover_url: string | null }>(
          `SELECT b.external_id, b.title, b.isbn13, b.publication_year, p.name AS publisher, b.cover_url,
                  coalesce((SELECT array_agg(a.name ORDER BY ba.position) FROM book_authors ba JOIN authors a ON a.id = ba.author_id WHERE ba.book_id = b.id), '{}') AS authors
           FROM books b LEFT JOIN publishers p ON p.id = b.publisher_id WHERE b.source = 'bookcrossing' ORDER BY b.external_id`,
        ),
      );
      assert.deepEqual(
        books.map((book) => [book.external_id, book.title, book.isbn13, book.publication_year, book.publisher, book.authors]),
        [
          ["0060973129", "Decision in Normandy", "9780060973124", null, "HarperPerennial", ["Carlo D'Este"]],
          ["0195153448", "Classical Mythology", "9780195153446", 2002, "Oxford University Press", ["Mark P. O. Morford"]],
          ["0316015849", 'Sweet "Valley" High', "9780316015844", null, "Bantam", ["Francine Pascal"]],
          ["0679425608", "Pride & Prejudice", "9780679425601", 1813, "Modern Library", ["Jane Austen"]],
          ["12345", "A Book With A Bad ISBN", null, 1999, "Small Press", ["Nobody"]],
          ["3257224281", "Der Fluch der Müllers", "9783257224283", 1998, "Diogenes Verlag", ["Friedrich Müller"]],
        ],
        "Latin-1 decoded (ü), \\\" unescaped, &amp; decoded, year 0 read as unknown",
      );
      assert.equal(books[1]!.cover_url, "http://images.amazon.com/images/P/0195153448.01.MZZZZZZZ.jpg");
      const linked = await db.withConnection((connection) => connection.query<{ title: string }>("SELECT title FROM books WHERE isbn13 = '9780439023481'"));
      assert.deepEqual(linked, [{ title: "The Hunger Games" }], "the ISBN another dataset holds is linked to, not duplicated or overwritten");
    });

    it("maps locations to country codes and ages to age groups, dropping impossible ages", async () => {
      assert.deepEqual(counts(fileOf(first, "BX-Users.csv")), { read: 6, inserted: 5, updated: 0, unchanged: 0, skipped: 1, dropped: 2 });
      assert.deepEqual(describeIssues(issues, "BX-Users.csv"), [
        "4 dropped Age: impossible age (allowed 5 to 110)",
        "6 skipped: missing User-ID",
        "7 dropped Age: impossible age (allowed 5 to 110)",
      ]);
      const users = await db.withConnection((connection) =>
        connection.query<{ external_id: string; display_name: string; country: string | null; age_group: string | null }>(
          `SELECT external_id, display_name, country, age_group::text AS age_group FROM users WHERE source = 'bookcrossing' ORDER BY external_id`,
        ),
      );
      assert.deepEqual(
        users.map((user) => [user.external_id, user.country, user.age_group]),
        [
          ["1", "US", null],
          ["2", "US", "AGE_18_24"],
          ["3", "DE", null],
          ["4", null, "AGE_35_44"],
          ["5", "PT", null],
          ["6", null, null],
        ],
      );
      assert.equal(users[0]!.display_name, "Book-Crossing reader 1");
      assert.ok(first.notes.some((note) => note.includes("1 readers absent from BX-Users.csv were created")));
    });

    it("stores explicit ratings on scale 10 and implicit ones (0) with scale 0, skipping what it cannot attach", async () => {
      assert.deepEqual(counts(fileOf(first, "BX-Book-Ratings.csv")), { read: 10, inserted: 7, updated: 0, unchanged: 0, skipped: 3, dropped: 1 });
      assert.deepEqual(describeIssues(issues, "BX-Book-Ratings.csv"), [
        "5 skipped: unknown book",
        "6 dropped Book-Rating: rating out of range (allowed 0 to 10)",
        "8 skipped: duplicate rating",
        "9 skipped: broken quoting (Quote Not Closed",
      ]);
      const ratings = await db.withConnection((connection) =>
        connection.query<{ user: string; book_id: number; book: string | null; rating: number; scale: number; created_ms: number }>(
          `SELECT u.external_id AS user, r.book_id, b.external_id AS book, r.rating, r.scale, (extract(epoch FROM r.created_at) * 1000)::float8 AS created_ms
           FROM ratings r JOIN users u ON u.id = r.user_id JOIN books b ON b.id = r.book_id ORDER BY r.created_at`,
        ),
      );
      assert.deepEqual(
        ratings.map((row) => [row.user, row.book, row.rating, row.scale, (Math.round(row.created_ms) - BOOKCROSSING_EPOCH) / 1000 + 2]),
        [
          ["1", "0195153448", 0, 0, 2],
          ["2", "0195153448", 8, 10, 3],
          ["2", "3257224281", 10, 10, 4],
          ["4", "12345", 0, 0, 6],
          ["6", "0195153448", 7, 10, 7],
          ["3", "0060973129", 9, 10, 10],
          ["5", "1", 6, 10, 11],
        ],
        "created_at follows the file's lines; the hyphenated ISBN finds the book Goodbooks holds",
      );
      assert.equal(ratings.at(-1)!.book_id, goodbooksBookId);
      const [mythology] = await db.withConnection((connection) =>
        connection.query<{ average_rating: number; ratings_count: number }>("SELECT average_rating, ratings_count FROM books WHERE external_id = '0195153448'"),
      );
      assert.deepEqual(mythology, { average_rating: 3.75, ratings_count: 2 }, "8/10 and 7/10 are 4 and 3.5 stars; the implicit one does not count");
    });

    it("changes nothing when run a second time", async () => {
      const before = await importedTablesState(db);
      const second = await importDataset(db, { dataset: "bookcrossing", directory, reportPath: null, batchSize: 3 });
      assert.deepEqual(await importedTablesState(db), before);
      for (const file of second.files) {
        assert.equal(file.inserted + file.updated, 0, `${file.file} writes nothing`);
        assert.equal(file.skipped, fileOf(first, file.file).skipped, `${file.file} skips the same rows`);
      }
    });
  });
}
