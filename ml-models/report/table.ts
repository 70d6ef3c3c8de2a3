import { METRIC_LABELS, type MetricSet } from "../evaluate/evaluate.ts";

export const TABLE_METRICS: (keyof MetricSet)[] = [
  "precisionAt10",
  "recallAt10",
  "ndcgAt10",
  "mapAt10",
  "hitRateAt10",
  "recallAt20",
  "ndcgAt20",
  "coverageAt10",
  "diversityAt10",
  "noveltyAt10",
];

/** The metric table as aligned plain text, one row per model. */
export function metricTable(rows: readonly { name: string; metrics: MetricSet; seconds?: number }[]): string {
  const header = ["model", ...TABLE_METRICS.map((m) => METRIC_LABELS[m]), "train s"];
  const body = rows.map((row) => [
    row.name,
    ...TABLE_METRICS.map((m) => row.metrics[m].toFixed(m === "noveltyAt10" ? 2 : 4)),
    row.seconds === undefined ? "" : row.seconds.toFixed(1),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
