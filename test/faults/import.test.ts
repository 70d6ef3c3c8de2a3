import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openDatabase } from "../../lib/db/database.ts";
import { writeGoodbooksFixture } from "../support/goodbooks-fixture.ts";
import { importedContent } from "../support/imported-content.ts";
import { sleep } from "./support/load.ts";
import { postgresServerAvailable, startPrivatePostgres, type PrivatePostgres } from "./support/private-postgres.ts";
import { createDatabase } from "./support/stack.ts";

const RATINGS = 40_000;

/** `npm run import` as its own process, the way an operator runs it (and a kill interrupts it). */
function runImport(databaseUrl: string, directory: string, reportPath: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "prisma/import.ts", "goodbooks", directory, "--batch-size", "1000", "--report", reportPath], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", NODE_ENV: "test" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  process.once("exit", () => child.kill("SIGKILL"));
  return { child, exited, stderr: () => stderr };
}

describe("import killed during the ratings, then rerun", { skip: postgresServerAvailable() ? false : "needs the PostgreSQL server binaries" }, () => {
  let postgres: PrivatePostgres;
  let directory: string;
  before(async () => {
    postgres = await startPrivatePostgres();
    directory = await mkdtemp(join(tmpdir(), "shelfgraph-faults-import-"));
    await writeGoodbooksFixture(join(directory, "goodbooks"), { books: 2_000, readers: 1_500, ratings: RATINGS, seed: 23 });
  });
  after(async () => {
    await postgres?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("ends with tables and aggregates identical to a clean import", async () => {
    const cleanUrl = await createDatabase(postgres, "clean");
    const resumedUrl = await createDatabase(postgres, "resumed");
    const clean = runImport(cleanUrl, join(directory, "goodbooks"), join(directory, "clean.jsonl"));
    assert.equal(await clean.exited, 0, clean.stderr());

    const killed = runImport(resumedUrl, join(directory, "goodbooks"), join(directory, "killed.jsonl"));
    const resumedDb = await openDatabase({ DATABASE_URL: resumedUrl, DATABASE_POOL_SIZE: 2, PGLITE_DATA_DIR: "unused" });
    try {
      let committed = 0;
      while (committed < RATINGS * 0.4) {
        await sleep(100);
        committed = await resumedDb.prisma.rating.count().catch(() => 0);
        assert.equal(killed.child.exitCode, null, `the import finished before it could be killed (${committed} ratings)`);
      }
      killed.child.kill("SIGKILL");
      await killed.exited;
      const halfway = await resumedDb.prisma.rating.count();
      console.log(`# import killed after ${halfway} of ${RATINGS} ratings`);
      assert.ok(halfway < RATINGS);

      const rerun = runImport(resumedUrl, join(directory, "goodbooks"), join(directory, "rerun.jsonl"));
      assert.equal(await rerun.exited, 0, rerun.stderr());

      const cleanDb = await openDatabase({ DATABASE_URL: cleanUrl, DATABASE_POOL_SIZE: 2, PGLITE_DATA_DIR: "unused" });
      try {
        const [expected, actual] = await Promise.all([importedContent(cleanDb), importedContent(resumedDb)]);
        assert.equal(actual.ratings.length, RATINGS);
        assert.deepEqual(actual.users, expected.users, "identical readers");
        assert.deepEqual(actual.ratings, expected.ratings, "identical ratings");
        const differing = actual.books.filter((book, i) => JSON.stringify(book) !== JSON.stringify(expected.books[i]));
        assert.deepEqual(differing.slice(0, 5), [], `${differing.length} books differ in title, average rating or count`);
      } finally {
        await cleanDb.close();
      }
    } finally {
      await resumedDb.close();
    }
  });
});
