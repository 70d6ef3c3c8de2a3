import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Database } from "../../lib/db/database.ts";
import { BOOKCROSSING_SOURCE, importBookCrossing } from "./bookcrossing.ts";
import { GOODBOOKS_SOURCE, importGoodbooks } from "./goodbooks.ts";
import type { ImportContext } from "./import-file.ts";
import { silentProgress, type Progress } from "./progress.ts";
import { booksRatedByDataset, recomputeRatingAggregates } from "./rating-aggregates.ts";
import { ImportReport, type ImportSummary } from "./report.ts";

export const DATASETS = ["goodbooks", "bookcrossing"] as const;
export type DatasetName = (typeof DATASETS)[number];

export const DEFAULT_BATCH_SIZE = 5000;

/** `users.source` of the readers each dataset creates. */
const READER_SOURCE: Record<DatasetName, string> = { goodbooks: GOODBOOKS_SOURCE, bookcrossing: BOOKCROSSING_SOURCE };

export interface ImportOptions {
  readonly dataset: DatasetName;
  readonly directory: string;
  /** Where every skipped row and dropped field goes, as JSON lines; null keeps only the counts. */
  readonly reportPath: string | null;
  readonly progress?: Progress;
  readonly batchSize?: number;
}

/**
 * Imports one dataset directory into `db` (already migrated): streamed, in
 * batches of one transaction each, idempotent. Returns the summary; the issues
 * are in the report file.
 */
export async function importDataset(db: Database, options: ImportOptions): Promise<ImportSummary> {
  const directory = resolve(options.directory);
  if (!(await isDirectory(directory))) throw new Error(`${directory} is not a directory`);
  const report = new ImportReport(options.dataset, directory, options.reportPath);
  await report.open();
  const context: ImportContext = { db, report, progress: options.progress ?? silentProgress };
  const datasetOptions = { batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE, affectedBooks: new Set<number>() };
  try {
    if (options.dataset === "goodbooks") await importGoodbooks(context, directory, datasetOptions);
    else await importBookCrossing(context, directory, datasetOptions);
    const { affectedBooks } = datasetOptions;
    // Not only the books this run wrote: an earlier run may have been interrupted before its recompute.
    const rated = await booksRatedByDataset(db, READER_SOURCE[options.dataset]);
    for (const bookId of affectedBooks) rated.add(bookId);
    if (rated.size > 0) {
      const changed = await recomputeRatingAggregates(db, rated);
      report.note(
        `ratings of ${affectedBooks.size} books were written: average rating and count recomputed for the ${rated.size} books this dataset rates, ${changed} changed`,
      );
    }
  } catch (error) {
    // The report of what was done before the failure is still worth keeping.
    await report.close();
    throw error;
  }
  return report.close();
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
