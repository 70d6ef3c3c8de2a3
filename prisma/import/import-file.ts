import { stat } from "node:fs/promises";
import type { Database } from "../../lib/db/database.ts";
import type { BatchResult, BatchWriter, Located } from "./batch.ts";
import { CsvHeaderError, openCsvFile, type CsvFormat, type CsvRow } from "./csv-records.ts";
import type { Progress } from "./progress.ts";
import type { FileReport, ImportReport } from "./report.ts";
import { inTransaction } from "../../lib/db/transaction.ts";
import { isDataError } from "./transaction.ts";

/** Reads one CSV row into a record, or reports why not (skip) and returns null. */
export type RowReader<R> = (row: CsvRow, file: FileReport) => R | null;

export interface FileImport<R extends Located> {
  /** The file name as the report shows it. */
  readonly name: string;
  readonly path: string;
  readonly format: CsvFormat;
  readonly requiredColumns: readonly string[];
  /** Builds the row reader once the header says where each column is. */
  prepare(columns: ReadonlyMap<string, number>): RowReader<R>;
  readonly write: BatchWriter<R>;
  readonly batchSize: number;
}

export interface ImportContext {
  readonly db: Database;
  readonly report: ImportReport;
  readonly progress: Progress;
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Streams one file through its reader and writer in batches, one transaction per
 * batch. A file that cannot be read at all (no header, missing columns) is noted
 * and left out; the other files still import.
 */
export async function importFile<R extends Located>(context: ImportContext, spec: FileImport<R>): Promise<FileReport> {
  const { report, progress } = context;
  const file = report.file(spec.name);
  const { size } = await stat(spec.path);
  progress.start(spec.name, size);
  let bytesRead = 0;
  let csv;
  try {
    csv = await openCsvFile(spec.path, spec.format, spec.requiredColumns, (bytes) => (bytesRead = bytes));
  } catch (error) {
    if (!(error instanceof CsvHeaderError)) throw error;
    file.end();
    progress.finish();
    report.note(`${spec.name} was not imported: ${error.message}`);
    return file;
  }

  const readRow = spec.prepare(csv.columns);
  let batch: R[] = [];
  const flush = async () => {
    await writeBatch(context, spec, file, batch);
    batch = [];
  };
  for await (const record of csv.records) {
    file.rowsRead += 1;
    if (record.kind === "broken") {
      file.skip(record.line, record.reason);
    } else {
      const item = readRow(record, file);
      if (item) batch.push(item);
    }
    if (batch.length >= spec.batchSize) await flush();
    progress.update(bytesRead, file.rowsRead);
  }
  await flush();
  file.end();
  progress.finish();
  return file;
}

async function writeBatch<R extends Located>(context: ImportContext, spec: FileImport<R>, file: FileReport, batch: readonly R[]): Promise<void> {
  if (batch.length > 0) {
    try {
      apply(file, await inTransaction(context.db, (connection) => spec.write(connection, batch)));
    } catch (error) {
      if (!isDataError(error)) throw error;
      // Validation should have caught it; find the row the database refused and keep the rest.
      for (const record of batch) {
        try {
          apply(file, await inTransaction(context.db, (connection) => spec.write(connection, [record])));
        } catch (rowError) {
          if (!isDataError(rowError)) throw rowError;
          file.skip(record.line, `rejected by the database: ${(rowError as Error).message}`);
        }
      }
    }
  }
  await context.report.flush();
}

function apply(file: FileReport, result: BatchResult): void {
  file.inserted += result.inserted;
  file.updated += result.updated;
  file.unchanged += result.unchanged;
  for (const issue of result.issues) {
    if (issue.field === undefined) file.skip(issue.line, issue.reason);
    else file.drop(issue.line, issue.field, issue.value ?? "", issue.reason);
  }
  result.onCommit?.();
}
