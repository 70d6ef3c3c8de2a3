import type { ImportSummary } from "./report.ts";

const number = (value: number) => value.toLocaleString("en-US");

/** The summary as a table for people, printed at the end of an import. */
export function formatSummary(summary: ImportSummary): string {
  const header = ["file", "read", "inserted", "updated", "unchanged", "skipped", "dropped", "seconds", "rows/s"];
  const rows = summary.files.map((file) => [
    file.file,
    number(file.rowsRead),
    number(file.inserted),
    number(file.updated),
    number(file.unchanged),
    number(file.skipped),
    number(file.fieldsDropped),
    (file.elapsedMs / 1000).toFixed(1),
    number(file.rowsPerSecond),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  const lines = [`Import of ${summary.dataset} from ${summary.directory} in ${(summary.elapsedMs / 1000).toFixed(1)} s`, "", line(header), ...rows.map(line)];
  const reasons = summary.files.flatMap((file) => Object.entries(file.reasons).map(([reason, times]) => `  ${file.file}: ${reason} × ${number(times)}`));
  if (reasons.length > 0) lines.push("", "Skipped rows and dropped fields:", ...reasons);
  if (summary.notes.length > 0) lines.push("", "Notes:", ...summary.notes.map((note) => `  ${note}`));
  if (summary.reportPath) lines.push("", `Every skipped row and dropped field, with its line: ${summary.reportPath}`);
  return lines.join("\n");
}
