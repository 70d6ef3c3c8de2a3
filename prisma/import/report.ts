import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { once } from "node:events";

/** One line of the report file: a row left out, or a field left out of a kept row. */
export type ImportIssue =
  | { readonly file: string; readonly line: number; readonly action: "skipped"; readonly reason: string }
  | { readonly file: string; readonly line: number; readonly action: "dropped"; readonly field: string; readonly value: string; readonly reason: string };

export interface FileSummary {
  readonly file: string;
  readonly rowsRead: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly fieldsDropped: number;
  readonly elapsedMs: number;
  readonly rowsPerSecond: number;
  /** How many times each reason came up, skipped and dropped alike. */
  readonly reasons: Readonly<Record<string, number>>;
}

export interface ImportSummary {
  readonly dataset: string;
  readonly directory: string;
  readonly files: readonly FileSummary[];
  /** Things the user should know that are not about a row: absent files, unlinked data. */
  readonly notes: readonly string[];
  readonly reportPath: string | null;
  readonly elapsedMs: number;
}

/** Counters of one input file; rows are counted by what happened to them in the database. */
export class FileReport {
  rowsRead = 0;
  inserted = 0;
  updated = 0;
  unchanged = 0;
  skipped = 0;
  fieldsDropped = 0;
  private readonly reasons = new Map<string, number>();
  private readonly started = performance.now();
  private elapsedMs: number | null = null;

  constructor(
    readonly file: string,
    private readonly sink: (issue: ImportIssue) => void,
  ) {}

  skip(line: number, reason: string): void {
    this.skipped += 1;
    this.count(reason);
    this.sink({ file: this.file, line, action: "skipped", reason });
  }

  drop(line: number, field: string, value: string, reason: string): void {
    this.fieldsDropped += 1;
    this.count(reason);
    this.sink({ file: this.file, line, action: "dropped", field, value, reason });
  }

  /** Stops the clock of this file; later calls keep the first time. */
  end(): void {
    this.elapsedMs ??= performance.now() - this.started;
  }

  finish(): FileSummary {
    this.end();
    this.elapsedMs ??= 0;
    return {
      file: this.file,
      rowsRead: this.rowsRead,
      inserted: this.inserted,
      updated: this.updated,
      unchanged: this.unchanged,
      skipped: this.skipped,
      fieldsDropped: this.fieldsDropped,
      elapsedMs: Math.round(this.elapsedMs),
      rowsPerSecond: this.elapsedMs > 0 ? Math.round((this.rowsRead / this.elapsedMs) * 1000) : 0,
      reasons: Object.fromEntries([...this.reasons].sort((a, b) => b[1] - a[1])),
    };
  }

  private count(reason: string): void {
    // Reasons carry row specifics after a colon; counting by the general part keeps the summary short.
    const general = reason.split(":")[0]!;
    this.reasons.set(general, (this.reasons.get(general) ?? 0) + 1);
  }
}

/**
 * The report of one import: every issue as a JSON line in `reportPath` (written
 * as the import goes, so memory stays flat however bad the data), plus counters
 * per file for the summary.
 */
export class ImportReport {
  private readonly files: FileReport[] = [];
  private readonly notes: string[] = [];
  private readonly pending: string[] = [];
  private stream: WriteStream | null = null;
  private readonly started = performance.now();

  constructor(
    readonly dataset: string,
    readonly directory: string,
    readonly reportPath: string | null,
  ) {}

  async open(): Promise<void> {
    if (!this.reportPath) return;
    await mkdir(dirname(this.reportPath), { recursive: true });
    this.stream = createWriteStream(this.reportPath, { flags: "w" });
    await once(this.stream, "open");
  }

  file(name: string): FileReport {
    const report = new FileReport(name, (issue) => this.pending.push(JSON.stringify(issue)));
    this.files.push(report);
    return report;
  }

  note(message: string): void {
    this.notes.push(message);
  }

  /** Writes the issues gathered so far; waits when the disk is slower than the import. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = `${this.pending.join("\n")}\n`;
    this.pending.length = 0;
    if (this.stream && !this.stream.write(text)) await once(this.stream, "drain");
  }

  async close(): Promise<ImportSummary> {
    await this.flush();
    if (this.stream) {
      this.stream.end();
      await once(this.stream, "finish");
    }
    return {
      dataset: this.dataset,
      directory: this.directory,
      files: this.files.map((file) => file.finish()),
      notes: [...this.notes],
      reportPath: this.reportPath,
      elapsedMs: Math.round(performance.now() - this.started),
    };
  }
}
