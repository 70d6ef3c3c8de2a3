import type { SqlConnection } from "../../lib/db/database.ts";

/** A row the writer left out, or a field it left out of a row, found while writing a batch. */
export interface RowIssue {
  readonly line: number;
  readonly reason: string;
  /** Set when only this field was dropped and the row was kept. */
  readonly field?: string;
  readonly value?: string;
}

/** What one batch did. Issues and `onCommit` only take effect once the batch's transaction committed. */
export interface BatchResult {
  inserted: number;
  updated: number;
  unchanged: number;
  issues: RowIssue[];
  /** Updates the run's memory (keys seen, books touched) once the batch is durable. */
  onCommit?: () => void;
}

export const emptyBatchResult = (): BatchResult => ({ inserted: 0, updated: 0, unchanged: 0, issues: [] });

/**
 * Writes one batch of validated records inside the caller's transaction. It must
 * leave a record out with an issue rather than fail on it: a failed batch is
 * retried record by record, which is correct but slow.
 */
export type BatchWriter<R> = (connection: SqlConnection, records: readonly R[]) => Promise<BatchResult>;

/** A record as read from its file, with the line it came from. */
export interface Located {
  readonly line: number;
}
