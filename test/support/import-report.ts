import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import type { FileSummary, ImportIssue, ImportSummary } from "../../prisma/import/report.ts";

/** Reading an importer's summary and JSON-lines report the way an operator would. */
export const fileOf = (summary: ImportSummary, name: string): FileSummary => {
  const file = summary.files.find((entry) => entry.file === name);
  assert.ok(file, `${name} is in the summary`);
  return file;
};

export const counts = (file: FileSummary) => ({
  read: file.rowsRead,
  inserted: file.inserted,
  updated: file.updated,
  unchanged: file.unchanged,
  skipped: file.skipped,
  dropped: file.fieldsDropped,
});

export async function readIssues(path: string): Promise<ImportIssue[]> {
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as ImportIssue);
}

/** Issues as compact strings: "4 skipped: missing title", "5 dropped original_publication_year: ...", in line order. */
export const describeIssues = (issues: ImportIssue[], file: string) =>
  issues
    .filter((issue) => issue.file === file)
    .map((issue) => `${issue.line} ${issue.action}${issue.action === "dropped" ? ` ${issue.field}` : ""}: ${issue.reason.split(":")[0]}`)
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b));
