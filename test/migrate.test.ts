import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFile, cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { openDatabase, type Database } from "../lib/db/database.ts";
import { applyMigrations, MigrationError } from "../lib/db/migrate.ts";
import { DEFAULT_MIGRATIONS_DIR } from "../lib/db/migration-files.ts";
import { describeDatabaseSchema } from "../lib/db/schema-introspection.ts";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const localMigrations = (await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }))
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
}

const migrationRows = (db: Database) =>
  db.withConnection((connection) => connection.query<MigrationRow>("SELECT * FROM _prisma_migrations ORDER BY migration_name"));

const tableExists = async (db: Database, table: string) => {
  const [row] = await db.withConnection((connection) => connection.query<{ found: string | null }>("SELECT to_regclass($1)::text AS found", [table]));
  return row?.found != null;
};

/** A scratch copy of prisma/migrations that a test may edit or extend. */
async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "shelfgraph-migrations-"));
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(join(dir, name));
  await writeFile(join(dir, name, "migration.sql"), sql);
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

interface CliResult {
  code: number;
  output: string;
}

/** Runs `npm run db:migrate`'s script as a user would, with `env` on top of a clean database environment. */
function runMigrateCli(env: Record<string, string>): Promise<CliResult> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "prisma/migrate.ts"],
      { cwd: repoRoot, env: { ...inherited, LOG_LEVEL: "info", NODE_ENV: "test", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

for (const target of databaseTargets()) {
  describe(`applyMigrations (${target.name})`, () => {
    let database: TestDatabase;
    const scratchDirs: string[] = [];

    before(async () => {
      database = await target.create();
    });

    after(async () => {
      await database?.drop();
    });

    afterEach(async () => {
      for (const dir of scratchDirs.splice(0)) await rm(dir, { recursive: true, force: true });
      // Each test starts from an empty database.
      await database.db.withConnection((connection) => connection.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"));
    });

    const scratch = async () => {
      const dir = await copyOfMigrations();
      scratchDirs.push(dir);
      return dir;
    };

    it("applies every migration once, and a second run is a no-op", async () => {
      const first = await applyMigrations(database.db);
      assert.deepEqual(first, { applied: localMigrations, alreadyApplied: 0 });
      const schemaAfterFirst = await database.db.withConnection(describeDatabaseSchema);

      const second = await applyMigrations(database.db);
      assert.deepEqual(second, { applied: [], alreadyApplied: localMigrations.length });
      assert.equal((await migrationRows(database.db)).length, localMigrations.length);
      const schemaAfterSecond = await database.db.withConnection(describeDatabaseSchema);
      assert.deepEqual(schemaAfterSecond, schemaAfterFirst);
    });

    it("records each migration in _prisma_migrations the way Prisma does", async () => {
      await applyMigrations(database.db);
      const rows = await migrationRows(database.db);
      assert.deepEqual(
        rows.map((row) => row.migration_name),
        localMigrations,
      );
      for (const row of rows) {
        const script = await readFile(join(DEFAULT_MIGRATIONS_DIR, row.migration_name, "migration.sql"), "utf8");
        assert.equal(row.checksum, sha256(script), `${row.migration_name}: checksum is the SHA-256 of migration.sql`);
        assert.match(row.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.ok(row.finished_at instanceof Date, `${row.migration_name}: finished_at is set`);
        assert.ok(row.finished_at.getTime() >= row.started_at.getTime());
        assert.equal(row.rolled_back_at, null);
        assert.equal(row.applied_steps_count, 1);
        assert.equal(row.logs, null);
      }

      // The table itself must be the one `prisma migrate deploy` expects to find.
      const table = (await database.db.withConnection(describeDatabaseSchema)).tables.get("_prisma_migrations");
      assert.ok(table);
      const layout = [...table.columns.values()].map((c) => [c.name, c.udtName, c.characterMaximumLength, c.nullable]);
      assert.deepEqual(layout, [
        ["id", "varchar", 36, false],
        ["checksum", "varchar", 64, false],
        ["finished_at", "timestamptz", null, true],
        ["migration_name", "varchar", 255, false],
        ["logs", "text", null, true],
        ["rolled_back_at", "timestamptz", null, true],
        ["started_at", "timestamptz", null, false],
        ["applied_steps_count", "int4", null, false],
      ]);
      assert.deepEqual(
        table.indexes.map((index) => [index.primary, index.columns.map((c) => c.name)]),
        [[true, ["id"]]],
      );
    });

    it("applies each migration exactly once when two runs start together", async () => {
      // A slow second migration keeps the first run busy long enough for the runs to overlap.
      const dir = await scratch();
      await addMigration(dir, "29991231000000_slow", 'SELECT pg_sleep(0.3);\nCREATE TABLE "concurrency_probe" ("id" INTEGER NOT NULL);\n');
      const expected = [...localMigrations, "29991231000000_slow"];

      // Two processes are two connections; PGlite has one in-process session, so there both runs share it.
      const second =
        target.name === "postgres"
          ? await openDatabase({ DATABASE_URL: database.env.DATABASE_URL, DATABASE_POOL_SIZE: 2, PGLITE_DATA_DIR: "unused" })
          : database.db;
      try {
        const results = await Promise.all([
          applyMigrations(database.db, { migrationsDir: dir }),
          applyMigrations(second, { migrationsDir: dir }),
        ]);
        assert.deepEqual(results.flatMap((result) => result.applied).sort(), expected);
        assert.deepEqual(results.map((result) => result.alreadyApplied).sort(), [0, expected.length]);
      } finally {
        if (second !== database.db) await second.close();
      }
      const rows = await migrationRows(database.db);
      assert.deepEqual(
        rows.map((row) => row.migration_name),
        expected,
      );
      assert.ok(rows.every((row) => row.finished_at !== null));
    });

    it("refuses a migration that was edited after it was applied, naming it", async () => {
      const dir = await scratch();
      await applyMigrations(database.db, { migrationsDir: dir });
      const [edited] = localMigrations;
      assert.ok(edited);
      await appendFile(join(dir, edited, "migration.sql"), '\nCREATE INDEX "books_title_idx" ON "books"("title");\n');
      await addMigration(dir, "29991231000000_next", 'CREATE TABLE "after_edit" ("id" INTEGER NOT NULL);\n');

      await assert.rejects(applyMigrations(database.db, { migrationsDir: dir }), (error: unknown) => {
        assert.ok(error instanceof MigrationError);
        assert.equal(error.migration, edited);
        assert.match(error.message, new RegExp(`Migration ${edited} was modified after it was applied`));
        return true;
      });
      assert.equal(await tableExists(database.db, "after_edit"), false, "nothing after the refusal is applied");
    });

    it("accepts a migration whose only change is line endings, as Prisma does", async () => {
      const dir = await scratch();
      await applyMigrations(database.db, { migrationsDir: dir });
      const [name] = localMigrations;
      assert.ok(name);
      const file = join(dir, name, "migration.sql");
      await writeFile(file, (await readFile(file, "utf8")).replaceAll("\n", "\r\n"));
      assert.deepEqual(await applyMigrations(database.db, { migrationsDir: dir }), { applied: [], alreadyApplied: localMigrations.length });
    });

    it("refuses to run while a previous migration is recorded as failed", async () => {
      await applyMigrations(database.db);
      await database.db.withConnection((connection) =>
        connection.query(
          `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
           VALUES ('00000000-0000-4000-8000-000000000000', $1, '29991231000000_crashed', now(), 0)`,
          [sha256("whatever")],
        ),
      );
      await assert.rejects(applyMigrations(database.db), (error: unknown) => {
        assert.ok(error instanceof MigrationError);
        assert.equal(error.migration, "29991231000000_crashed");
        assert.match(error.message, /29991231000000_crashed is recorded as failed/);
        return true;
      });
    });

    it("rolls back a failing migration entirely, records nothing for it, and applies it once fixed", async () => {
      const dir = await scratch();
      const broken = "29991231000000_broken";
      await addMigration(dir, broken, 'CREATE TABLE "half_done" ("id" INTEGER NOT NULL);\nSELECT * FROM "no_such_table";\n');

      await assert.rejects(applyMigrations(database.db, { migrationsDir: dir }), (error: unknown) => {
        assert.ok(error instanceof MigrationError);
        assert.equal(error.migration, broken);
        assert.match(error.message, /failed and was rolled back/);
        assert.match(error.message, /no_such_table/);
        return true;
      });
      assert.equal(await tableExists(database.db, "half_done"), false, "the failed migration left nothing behind");
      assert.deepEqual(
        (await migrationRows(database.db)).map((row) => row.migration_name),
        localMigrations,
      );

      await writeFile(join(dir, broken, "migration.sql"), 'CREATE TABLE "half_done" ("id" INTEGER NOT NULL);\n');
      assert.deepEqual(await applyMigrations(database.db, { migrationsDir: dir }), {
        applied: [broken],
        alreadyApplied: localMigrations.length,
      });
      assert.equal(await tableExists(database.db, "half_done"), true);
    });
  });

  describe(`npm run db:migrate (${target.name})`, () => {
    let database: TestDatabase | undefined;
    let dataDir: string | undefined;
    let env: Record<string, string>;

    before(async () => {
      if (target.name === "postgres") {
        database = await target.create();
        env = database.env;
      } else {
        // PGlite allows one process per data directory, so the CLI gets a directory of its own.
        dataDir = await mkdtemp(join(tmpdir(), "shelfgraph-pglite-"));
        env = { PGLITE_DATA_DIR: dataDir };
      }
    });

    after(async () => {
      await database?.drop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it("applies the migrations, then reports the database up to date", async () => {
      const first = await runMigrateCli(env);
      assert.equal(first.code, 0, first.output);
      assert.match(first.output, new RegExp(`applied ${localMigrations.length} migration`));
      for (const name of localMigrations) assert.match(first.output, new RegExp(name));

      const second = await runMigrateCli(env);
      assert.equal(second.code, 0, second.output);
      assert.match(second.output, /database is up to date/);
    });

    it("exits non-zero with the reason when the configuration is invalid", async () => {
      const result = await runMigrateCli({ ...env, DATABASE_POOL_SIZE: "none" });
      assert.notEqual(result.code, 0);
      assert.match(result.output, /DATABASE_POOL_SIZE/);
    });
  });
}
