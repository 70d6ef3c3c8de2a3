import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openDatabase } from "../lib/db/database.ts";
import { buildPGliteTemplate, createPGlite, pgliteTemplatePath } from "../lib/db/pglite-template.ts";

describe("the PGlite data-directory template", () => {
  let dir: string;
  let template: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "pglite-template-"));
    template = await buildPGliteTemplate(join(dir, "template.tar"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("is named after the installed PGlite version", () => {
    assert.match(pgliteTemplatePath(), /node_modules\/\.cache\/shelfgraph\/pglite-\d+\.\d+\.\d+[^/]*-datadir-v\d+\.tar$/);
  });

  it("gives a new directory a working database that later opens as usual", async () => {
    const dataDir = join(dir, "fresh");
    const first = await createPGlite(dataDir, {}, template);
    assert.equal(first.fromTemplate, true);
    await first.pglite.exec("CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)");
    await first.pglite.close();
    const again = await createPGlite(dataDir, {}, template);
    assert.equal(again.fromTemplate, false);
    assert.deepEqual((await again.pglite.query("SELECT id FROM kept")).rows, [{ id: 7 }]);
    await again.pglite.close();
  });

  it("falls back to initdb when the template is missing or cannot be loaded", async () => {
    const damaged = join(dir, "damaged.tar");
    await writeFile(damaged, "not a tarball");
    for (const path of [join(dir, "missing.tar"), damaged]) {
      const opened = await createPGlite(join(dir, `initdb-${path.length}`), {}, path);
      assert.equal(opened.fromTemplate, false);
      assert.deepEqual((await opened.pglite.query("SELECT 1 AS one")).rows, [{ one: 1 }]);
      await opened.pglite.close();
    }
  });
});

describe("PGlite's buffer pool", () => {
  it("is PGLITE_SHARED_BUFFERS, 16MB unless set, in memory and on disk alike", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pglite-buffers-"));
    try {
      for (const [options, expected] of [
        [{ PGLITE_DATA_DIR: "memory://" }, "16MB"],
        [{ PGLITE_DATA_DIR: join(dir, "db"), PGLITE_SHARED_BUFFERS: "48MB" }, "48MB"],
      ] as const) {
        const db = await openDatabase({ DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1, ...options });
        try {
          const [row] = await db.withConnection((connection) => connection.query<{ shared_buffers: string }>("SHOW shared_buffers"));
          assert.equal(row!.shared_buffers, expected);
        } finally {
          await db.close();
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
