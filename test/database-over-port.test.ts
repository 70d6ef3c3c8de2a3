import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MessageChannel } from "node:worker_threads";
import { databaseOverPort, serveDatabaseOverPort } from "../lib/db/database-over-port.ts";
import { withTransaction } from "../lib/db/transaction.ts";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";

// The background training's SQL path on PGlite: a worker's statements run by the thread owning the database.
for (const target of databaseTargets().filter((t) => t.name === "pglite")) {
  describe(`raw SQL over a message port (${target.name})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await target.create();
      await database.db.withConnection((c) => c.exec("CREATE TABLE notes (id int PRIMARY KEY, body text)"));
    });
    after(async () => {
      await database?.drop();
    });

    it("answers queries, passes errors on with their SQLSTATE, and keeps the worker's transaction to itself", async () => {
      const channel = new MessageChannel();
      const served = serveDatabaseOverPort(channel.port1, database.db);
      const remote = databaseOverPort(channel.port2, "pglite");
      try {
        const [row] = await remote.withConnection((c) => c.query<{ n: number }>("SELECT 41 + $1::int AS n", [1]));
        assert.equal(row!.n, 42);
        await assert.rejects(
          remote.withConnection((c) => c.query("SELECT * FROM missing_table")),
          (error: unknown) => (error as { code?: string }).code === "42P01",
        );

        let ownWrite: Promise<unknown> | undefined;
        await assert.rejects(
          remote.withConnection((c) =>
            withTransaction(c, async () => {
              await c.query("INSERT INTO notes VALUES (1, 'from the worker')");
              // This thread's own statement meanwhile: it must neither join the worker's transaction nor be undone by its rollback.
              ownWrite = database.db.withConnection((own) => own.query("INSERT INTO notes VALUES (2, 'from the server')"));
              await new Promise((resolve) => setTimeout(resolve, 50));
              throw new Error("the worker's run fails");
            }),
          ),
          /the worker's run fails/,
        );
        await ownWrite;
        const rows = await database.db.withConnection((c) => c.query<{ id: number }>("SELECT id FROM notes ORDER BY id"));
        assert.deepEqual(rows.map((r) => r.id), [2]);
      } finally {
        await served.release();
        remote.close();
      }
    });
  });
}
