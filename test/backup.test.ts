import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { openDatabase, type Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { seedDemoData } from "../prisma/seed/index.ts";
import { createPostgresDatabase } from "./support/databases.ts";

/** What a restore must bring back exactly: every reader, book and rating, as rows. */
async function fingerprint(db: Database): Promise<string> {
  return db.withConnection(async (connection) => {
    const rows = await connection.query<{ f: string }>(
      `SELECT concat_ws('|',
         (SELECT md5(string_agg(u::text, ',' ORDER BY u.id)) FROM users u),
         (SELECT md5(string_agg(b::text, ',' ORDER BY b.id)) FROM books b),
         (SELECT md5(string_agg(r::text, ',' ORDER BY r.id)) FROM ratings r),
         (SELECT count(*) FROM _prisma_migrations)) AS f`,
    );
    return rows[0]!.f;
  });
}

/** A change a restore must undo: a reader renamed, some ratings gone, a book added. */
async function change(db: Database): Promise<void> {
  await db.withConnection(async (connection) => {
    await connection.query(`UPDATE users SET display_name = 'changed after the backup' WHERE id = (SELECT min(id) FROM users)`);
    await connection.query(`DELETE FROM ratings WHERE id IN (SELECT id FROM ratings ORDER BY id LIMIT 10)`);
  });
}

function cli(script: "backup" | "restore", env: Record<string, string>, file: string): string {
  const result = spawnSync(process.execPath, ["--import", "tsx", `prisma/${script}.ts`, file], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: "utf8",
  });
  assert.equal(result.status, 0, `db:${script} failed: ${result.stderr}`);
  return result.stdout;
}

describe("npm run db:backup / db:restore", () => {
  const scratch = mkdtempSync(join(tmpdir(), "shelfgraph-backup-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("round-trips the embedded PGlite database: back up, change, restore, compare", async () => {
    const dataDir = join(scratch, "pglite");
    const env = { PGLITE_DATA_DIR: dataDir };
    let db = await openDatabase({ DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1, PGLITE_DATA_DIR: dataDir });
    await applyMigrations(db);
    await seedDemoData(db, { books: 60, users: 30, seed: 9 });
    const original = await fingerprint(db);
    await db.close();

    const file = join(scratch, "pglite.tar.gz");
    assert.match(cli("backup", env, file), /backup written/);
    assert.ok(existsSync(file));

    db = await openDatabase({ DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1, PGLITE_DATA_DIR: dataDir });
    await change(db);
    const changed = await fingerprint(db);
    assert.notEqual(changed, original);
    await db.close();

    assert.match(cli("restore", env, file), /restored from .*the replaced data folder is kept at/);
    db = await openDatabase({ DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1, PGLITE_DATA_DIR: dataDir });
    try {
      assert.equal(await fingerprint(db), original);
    } finally {
      await db.close();
    }
    assert.ok(readdirSync(scratch).some((name) => name.startsWith("pglite.before-restore-")), "the replaced folder is kept, not deleted");
  });

  it("round-trips PostgreSQL with pg_dump and pg_restore", { skip: process.env.DATABASE_URL ? false : "needs DATABASE_URL" }, async () => {
    const database = await createPostgresDatabase(process.env.DATABASE_URL!);
    try {
      await applyMigrations(database.db);
      await seedDemoData(database.db, { books: 60, users: 30, seed: 9 });
      const original = await fingerprint(database.db);
      const file = join(scratch, "postgres.dump");
      cli("backup", database.env, file);
      await change(database.db);
      assert.notEqual(await fingerprint(database.db), original);
      cli("restore", database.env, file);
      assert.equal(await fingerprint(database.db), original);
    } finally {
      await database.drop();
    }
  });
});
