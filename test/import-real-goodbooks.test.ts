import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { maxPublicationYear } from "../prisma/import/fields.ts";
import { GOODBOOKS_EPOCH } from "../prisma/import/goodbooks.ts";
import { importDataset } from "../prisma/import/importer.ts";
import type { FileSummary, ImportSummary } from "../prisma/import/report.ts";
import { importedTablesState, type TableState } from "../prisma/import/table-checksum.ts";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";

/**
 * The real Goodbooks-10k sample end to end, then again to prove the re-import
 * changes nothing. Measured on 2 busy cores: about 25 s on PostgreSQL and 60 s on
 * PGlite for both runs, so it runs on PGlite only with IMPORT_REAL_DATA_PGLITE=1
 * and otherwise against PostgreSQL (DATABASE_URL); it is skipped when the data
 * folder is absent.
 */
const DATA = fileURLToPath(new URL("../../shared/data/goodbooks-10k/", import.meta.url));
const present = existsSync(`${DATA}books.csv`);
const targets = databaseTargets().filter((target) => target.name === "postgres" || process.env.IMPORT_REAL_DATA_PGLITE === "1");

const fileOf = (summary: ImportSummary, name: string): FileSummary => {
  const file = summary.files.find((entry) => entry.file === name);
  assert.ok(file, `${name} is in the summary`);
  return file;
};

if (targets.length === 0) {
  it.skip("imports the real Goodbooks-10k sample (needs DATABASE_URL, or IMPORT_REAL_DATA_PGLITE=1)");
}

for (const target of targets) {
  describe(`importing the real Goodbooks-10k sample (${target.name})`, { skip: present ? false : `${DATA} is absent` }, () => {
    let database: TestDatabase;
    let db: Database;
    let first: ImportSummary;
    let tablesAfterFirst: Record<string, TableState>;

    before(async () => {
      database = await target.create();
      db = database.db;
      await applyMigrations(db);
      first = await importDataset(db, { dataset: "goodbooks", directory: DATA, reportPath: null });
      tablesAfterFirst = await importedTablesState(db);
    });
    after(async () => {
      await database?.drop();
    });

    it("imports every book, tag and rating of the sample", () => {
      const books = fileOf(first, "books.csv");
      assert.deepEqual([books.rowsRead, books.inserted, books.skipped], [10_000, 10_000, 0]);
      // The float-mangled isbn13 column, ancient years and a few bad ISBN-10s: fields dropped, books kept.
      assert.deepEqual(books.reasons, {
        "invalid ISBN-13": 176,
        [`impossible publication year (allowed 1 to ${maxPublicationYear()})`]: 31,
        "invalid ISBN-10": 23,
      });
      const tags = fileOf(first, "tags.csv");
      assert.deepEqual([tags.rowsRead, tags.inserted, tags.skipped], [34_252, 34_252, 0]);
      const ratings = fileOf(first, "ratings.csv");
      assert.deepEqual([ratings.rowsRead, ratings.inserted, ratings.skipped, ratings.fieldsDropped], [298_176, 298_176, 0, 0]);
      assert.equal(tablesAfterFirst.books!.rows, 10_000);
      assert.equal(tablesAfterFirst.genres!.rows, 34_252);
      assert.equal(tablesAfterFirst.ratings!.rows, 298_176);
      assert.equal(tablesAfterFirst.users!.rows, 2_672);
      assert.ok(first.notes.includes("book_tags.csv absent: tags are not linked to books"));
    });

    it("keeps the file's time order and the books' rating figures", async () => {
      const [order] = await db.withConnection((connection) =>
        connection.query<{ first: string; last: string; first_ms: number; last_ms: number }>(
          `SELECT (array_agg(u.external_id || '/' || b.external_id ORDER BY r.created_at))[1] AS first,
                  (array_agg(u.external_id || '/' || b.external_id ORDER BY r.created_at DESC))[1] AS last,
                  (extract(epoch FROM min(r.created_at)) * 1000)::float8 AS first_ms,
                  (extract(epoch FROM max(r.created_at)) * 1000)::float8 AS last_ms
           FROM ratings r JOIN users u ON u.id = r.user_id JOIN books b ON b.id = r.book_id`,
        ),
      );
      assert.deepEqual(order, { first: "58/26", last: "53358/695", first_ms: GOODBOOKS_EPOCH, last_ms: GOODBOOKS_EPOCH + 298_175_000 });
      const [figures] = await db.withConnection((connection) =>
        connection.query<{ rated: number; total: number; hunger_games: string; hunger_count: number; hunger_average: number; isbn13: string }>(
          `SELECT (SELECT count(*)::int FROM books WHERE ratings_count > 0) AS rated,
                  (SELECT sum(ratings_count)::int FROM books) AS total,
                  b.title AS hunger_games, b.ratings_count AS hunger_count, b.average_rating AS hunger_average, b.isbn13
           FROM books b WHERE b.source = 'goodbooks' AND b.external_id = '1'`,
        ),
      );
      assert.equal(figures!.rated, 9_990);
      assert.equal(figures!.total, 298_176);
      assert.equal(figures!.hunger_games, "The Hunger Games (The Hunger Games, #1)");
      assert.equal(figures!.isbn13, "9780439023481", "derived from the ISBN-10, not from the float");
      assert.equal(figures!.hunger_count, 1_138);
      assert.ok(Math.abs(figures!.hunger_average - 4.28207) < 1e-5);
    });

    it("changes nothing when imported a second time", async () => {
      const second = await importDataset(db, { dataset: "goodbooks", directory: DATA, reportPath: null });
      for (const file of second.files) {
        assert.equal(file.inserted, 0, `${file.file} inserts nothing`);
        assert.equal(file.updated, 0, `${file.file} updates nothing`);
        assert.equal(file.unchanged, fileOf(first, file.file).inserted, `${file.file} finds every row unchanged`);
      }
      assert.deepEqual(await importedTablesState(db), tablesAfterFirst);
    });
  });
}
