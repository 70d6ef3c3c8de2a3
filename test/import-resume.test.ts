import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { importDataset } from "../prisma/import/importer.ts";
import type { Progress } from "../prisma/import/progress.ts";
import { databaseTargets } from "./support/databases.ts";
import { writeGoodbooksFixture } from "./support/goodbooks-fixture.ts";
import { importedContent } from "./support/imported-content.ts";

class Interrupted extends Error {}

/** Interrupts the import once this many rows of ratings.csv were read: the batches before it are committed, the aggregates not yet recomputed. */
const interruptAt = (rows: number): Progress => {
  let file = "";
  return {
    start: (name) => (file = name),
    update: (_bytes, rowsRead) => {
      if (file === "ratings.csv" && rowsRead >= rows) throw new Interrupted(`interrupted at row ${rowsRead} of ratings.csv`);
    },
    finish: () => {},
  };
};

for (const target of databaseTargets()) {
  describe(`an interrupted import, resumed, on ${target.name}`, () => {
    let directory: string;
    const databases: { db: Database; drop(): Promise<void> }[] = [];
    before(async () => {
      directory = await mkdtemp(join(tmpdir(), "shelfgraph-import-resume-"));
      await writeGoodbooksFixture(directory, { books: 120, readers: 60, ratings: 2_000 });
    });
    after(async () => {
      await Promise.all(databases.map((database) => database.drop()));
      await rm(directory, { recursive: true, force: true });
    });

    it("ends with the same rows, averages and counts as a clean import", async () => {
      const clean = await target.create();
      const resumed = await target.create();
      databases.push(clean, resumed);
      await applyMigrations(clean.db);
      await applyMigrations(resumed.db);

      await importDataset(clean.db, { dataset: "goodbooks", directory, reportPath: null, batchSize: 250 });

      await assert.rejects(importDataset(resumed.db, { dataset: "goodbooks", directory, reportPath: null, batchSize: 250, progress: interruptAt(1_800) }), Interrupted);
      const halfway = await importedContent(resumed.db);
      assert.ok(halfway.ratings.length >= 1_500 && halfway.ratings.length < 2_000, `${halfway.ratings.length} ratings committed before the interruption`);
      assert.ok(halfway.books.some((book) => book.ratings_count === 0 && halfway.ratings.some((rating) => rating.book === book.external_id)), "the interruption left stale aggregates behind");

      await importDataset(resumed.db, { dataset: "goodbooks", directory, reportPath: null, batchSize: 250 });

      const [expected, actual] = await Promise.all([importedContent(clean.db), importedContent(resumed.db)]);
      assert.equal(actual.ratings.length, 2_000);
      assert.deepEqual(actual.ratings, expected.ratings, "identical ratings");
      assert.deepEqual(actual.books, expected.books, "identical books, average ratings and counts");
      assert.deepEqual(actual.users, expected.users, "identical readers");
    });
  });
}
