import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { applyMigrations } from "../lib/db/migrate.ts";
import { BOOKCROSSING_CSV } from "../prisma/import/bookcrossing.ts";
import { CsvHeaderError, openCsvFile, RFC4180_UTF8, type CsvRecord } from "../prisma/import/csv-records.ts";
import { importFile } from "../prisma/import/import-file.ts";
import { silentProgress } from "../prisma/import/progress.ts";
import { ImportReport } from "../prisma/import/report.ts";
import { databaseTargets } from "./support/databases.ts";

let directory: string;
before(async () => {
  directory = await mkdtemp(join(tmpdir(), "import-csv-"));
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function readAll(path: string, format = RFC4180_UTF8, required: string[] = []): Promise<{ header: readonly string[]; records: CsvRecord[] }> {
  const file = await openCsvFile(path, format, required);
  const records: CsvRecord[] = [];
  for await (const record of file.records) records.push(record);
  return { header: file.header, records };
}

describe("CSV records", () => {
  it("numbers a record by the line it starts on, also after quoted line breaks, and skips a byte order mark", async () => {
    const path = join(directory, "multiline.csv");
    await writeFile(path, '\uFEFFid,text\n1,plain\n2,"two\nlines"\n3,"say ""hi"""\n\n4,after a blank line\n');
    const { header, records } = await readAll(path);
    assert.deepEqual(header, ["id", "text"]);
    assert.deepEqual(records, [
      { kind: "row", line: 2, fields: ["1", "plain"] },
      { kind: "row", line: 3, fields: ["2", "two\nlines"] },
      { kind: "row", line: 5, fields: ["3", 'say "hi"'] },
      { kind: "row", line: 7, fields: ["4", "after a blank line"] },
    ]);
  });

  it("decodes UTF-8 characters split across read chunks", async () => {
    const path = join(directory, "chunks.csv");
    // The stream reads 64 KiB chunks: "ü" (2 bytes) straddles the first boundary.
    const filler = "x".repeat(65_536 - "id,name\n1,".length - 1);
    await writeFile(path, `id,name\n1,${filler}ü\n2,Müller\n`);
    const { records } = await readAll(path);
    assert.equal(records.length, 2);
    assert.ok(records[0]!.kind === "row" && records[0]!.fields[1]!.endsWith("xü"));
    assert.deepEqual(records[1], { kind: "row", line: 3, fields: ["2", "Müller"] });
  });

  it("reads Book-Crossing's Latin-1 line by line, so a broken quote costs only its own line", async () => {
    const path = join(directory, "bx.csv");
    await writeFile(path, Buffer.from('"ISBN";"Book-Author"\r\n"1";"Müller"\r\n"2";"Unclosed\r\n"3";"Caf\u00e9 \\"Ol\u00e9\\""\r\n', "latin1"));
    const { records } = await readAll(path, BOOKCROSSING_CSV);
    assert.equal(records.length, 3);
    assert.deepEqual(records[0], { kind: "row", line: 2, fields: ["1", "Müller"] });
    assert.equal(records[1]!.kind, "broken");
    assert.equal(records[1]!.line, 3);
    assert.match((records[1] as { reason: string }).reason, /^broken quoting/);
    assert.deepEqual(records[2], { kind: "row", line: 4, fields: ["3", 'Café "Olé"'] });
  });

  it("reports a record with the wrong number of columns as broken, and refuses a header without the required columns", async () => {
    const path = join(directory, "columns.csv");
    await writeFile(path, "a,b\n1,2\n1,2,3\n1\n");
    const { records } = await readAll(path);
    assert.deepEqual(records.slice(1), [
      { kind: "broken", line: 3, reason: "expected 2 columns, got 3" },
      { kind: "broken", line: 4, reason: "expected 2 columns, got 1" },
    ]);
    await assert.rejects(openCsvFile(path, RFC4180_UTF8, ["a", "c"]), (error: unknown) => error instanceof CsvHeaderError && /missing column\(s\) c/.test(error.message));
    const empty = join(directory, "empty.csv");
    await writeFile(empty, "");
    await assert.rejects(openCsvFile(empty, RFC4180_UTF8, []), /the file is empty/);
  });
});

for (const target of databaseTargets()) {
  describe(`a batch the database refuses (${target.name})`, () => {
    it("is retried row by row: the refused row is skipped and reported, the rest of the batch is kept", async () => {
      const database = await target.create();
      try {
        await applyMigrations(database.db);
        await database.db.withConnection((connection) => connection.exec("CREATE TABLE import_probe (n int PRIMARY KEY CHECK (n < 100))"));
        const path = join(directory, `probe-${target.name}.csv`);
        await writeFile(path, "n\n1\n2\n500\n3\n4\n5\n");
        const report = new ImportReport("probe", directory, null);
        const file = await importFile(
          { db: database.db, report, progress: silentProgress },
          {
            name: "probe.csv",
            path,
            format: RFC4180_UTF8,
            requiredColumns: ["n"],
            batchSize: 4,
            prepare: () => ({ line, fields }) => ({ line, n: Number(fields[0]) }),
            write: async (connection, records) => {
              await connection.query("INSERT INTO import_probe (n) SELECT unnest($1::int[])", [records.map((record) => record.n)]);
              return { inserted: records.length, updated: 0, unchanged: 0, issues: [] };
            },
          },
        );
        const summary = file.finish();
        assert.deepEqual([summary.rowsRead, summary.inserted, summary.skipped], [6, 5, 1]);
        assert.deepEqual(Object.keys(summary.reasons), ["rejected by the database"]);
        const rows = await database.db.withConnection((connection) => connection.query<{ n: number }>("SELECT n FROM import_probe ORDER BY n"));
        assert.deepEqual(rows.map((row) => row.n), [1, 2, 3, 4, 5]);
      } finally {
        await database.drop();
      }
    });
  });
}
