import { METRIC_LABELS, type MetricSet } from "../evaluate/evaluate.ts";
import { TABLE_METRICS } from "./table.ts";

export interface ReportModel {
  readonly name: string;
  readonly version?: number;
  readonly status?: string;
  readonly metrics: MetricSet;
  readonly trainSeconds: number;
  readonly production?: { version: number; metrics: MetricSet } | null;
}

export interface ReportHistoryPoint {
  readonly name: string;
  readonly version: number;
  readonly status: string;
  readonly ndcgAt10: number;
}

export interface RunReport {
  readonly title: string;
  readonly generatedAt: string;
  readonly source: string;
  readonly counts: Record<string, number>;
  readonly seconds: number;
  readonly models: readonly ReportModel[];
  readonly validation: Record<string, unknown>;
  readonly history: readonly ReportHistoryPoint[];
}

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#edc948"];

/** One colour per model everywhere in the report, in the order the models are listed. */
function modelColours(names: readonly string[]): (name: string) => string {
  const order = [...new Set(names)];
  return (name) => PALETTE[Math.max(order.indexOf(name), 0) % PALETTE.length]!;
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** One small bar chart per metric: a model per bar, the best bar labelled. */
function metricChart(metric: keyof MetricSet, models: readonly ReportModel[], colourOf: (name: string) => string): string {
  const width = 260;
  const height = 150;
  const values = models.map((m) => m.metrics[metric]);
  const max = Math.max(...values, 1e-9);
  const barWidth = (width - 20) / models.length;
  const best = values.indexOf(Math.max(...values));
  const bars = models
    .map((m, i) => {
      const h = (values[i]! / max) * (height - 40);
      const x = 10 + i * barWidth;
      const y = height - 20 - h;
      return `<rect x="${x + 3}" y="${y}" width="${barWidth - 6}" height="${h}" fill="${colourOf(m.name)}"><title>${escape(m.name)}: ${values[i]!.toFixed(4)}</title></rect>
      <text x="${x + barWidth / 2}" y="${y - 3}" font-size="9" text-anchor="middle"${i === best ? ' font-weight="bold"' : ""}>${values[i]!.toFixed(metric === "noveltyAt10" ? 1 : 3)}</text>`;
    })
    .join("");
  return `<figure><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${METRIC_LABELS[metric]}">
    <line x1="10" y1="${height - 20}" x2="${width - 10}" y2="${height - 20}" stroke="#999"/>${bars}</svg><figcaption>${METRIC_LABELS[metric]}</figcaption></figure>`;
}

/** NDCG@10 of each model's registered versions, one line per model; production versions ringed. */
function historyChart(history: readonly ReportHistoryPoint[], colourOf: (name: string) => string): string {
  if (history.length === 0) return "<p>No registered versions yet.</p>";
  const width = 560;
  const height = 220;
  const names = [...new Set(history.map((h) => h.name))];
  const versions = history.map((h) => h.version);
  const minV = Math.min(...versions);
  const maxV = Math.max(...versions);
  const maxY = Math.max(...history.map((h) => h.ndcgAt10), 1e-9);
  const x = (v: number) => 40 + ((v - minV) / Math.max(maxV - minV, 1)) * (width - 60);
  const y = (value: number) => height - 30 - (value / maxY) * (height - 50);
  const series = names
    .map((name, i) => {
      const points = history.filter((h) => h.name === name).sort((a, b) => a.version - b.version);
      const colour = colourOf(name);
      const path = points.map((p, j) => `${j === 0 ? "M" : "L"}${x(p.version).toFixed(1)},${y(p.ndcgAt10).toFixed(1)}`).join(" ");
      const dots = points
        .map(
          (p) =>
            `<circle cx="${x(p.version)}" cy="${y(p.ndcgAt10)}" r="${p.status === "PRODUCTION" ? 5 : 3}" fill="${p.status === "PRODUCTION" ? "white" : colour}" stroke="${colour}" stroke-width="2"><title>${escape(name)} v${p.version} (${p.status}): ${p.ndcgAt10.toFixed(4)}</title></circle>`,
        )
        .join("");
      return `<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>${dots}<text x="${width - 5}" y="${14 + i * 13}" font-size="11" text-anchor="end" fill="${colour}">${escape(name)}</text>`;
    })
    .join("");
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="NDCG@10 by version">
    <line x1="40" y1="${height - 30}" x2="${width - 20}" y2="${height - 30}" stroke="#999"/><line x1="40" y1="10" x2="40" y2="${height - 30}" stroke="#999"/>
    <text x="36" y="${y(maxY) + 4}" font-size="10" text-anchor="end">${maxY.toFixed(3)}</text><text x="36" y="${height - 27}" font-size="10" text-anchor="end">0</text>
    <text x="${x(minV)}" y="${height - 17}" font-size="10" text-anchor="middle">v${minV}</text>${maxV > minV ? `<text x="${x(maxV)}" y="${height - 17}" font-size="10" text-anchor="middle">v${maxV}</text>` : ""}
    <text x="${width / 2}" y="${height - 4}" font-size="11" text-anchor="middle">version</text>${series}</svg>`;
}

/** Swatch and name of each model, so the bars of every chart can be told apart. */
function legend(names: readonly string[], colourOf: (name: string) => string): string {
  return `<p class="legend">${names
    .map((name) => `<span><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${colourOf(name)}"/></svg> ${escape(name)}</span>`)
    .join("")}</p>`;
}

export function renderHtmlReport(report: RunReport): string {
  const modelNames = report.models.map((m) => m.name);
  const colourOf = modelColours([...modelNames, ...report.history.map((h) => h.name)]);
  const rows = report.models
    .map((m) => {
      const cells = TABLE_METRICS.map((metric) => `<td>${m.metrics[metric].toFixed(metric === "noveltyAt10" ? 2 : 4)}</td>`).join("");
      const production = m.production ? `v${m.production.version}: ${m.production.metrics.ndcgAt10.toFixed(4)}` : "—";
      return `<tr><th>${escape(m.name)}</th><td>${m.version ?? ""}</td><td>${escape(m.status ?? "")}</td>${cells}<td>${production}</td><td>${m.trainSeconds.toFixed(1)}</td></tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(report.title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:1rem 0}td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:right}th:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0}figcaption{text-align:center;font-weight:600}
.muted{color:#666}.scroll{overflow-x:auto}.legend span{margin-right:1.2rem;white-space:nowrap}.legend svg{vertical-align:-1px}
summary{cursor:pointer;font-weight:600}
</style></head><body>
<h1>${escape(report.title)}</h1>
<p class="muted">${escape(report.generatedAt)} · source: ${escape(report.source)} · ${Object.entries(report.counts)
    .map(([k, v]) => `${escape(k)} ${v.toLocaleString("en")}`)
    .join(" · ")} · pipeline ${report.seconds.toFixed(1)} s</p>
<h2>Models on the held-out test set</h2>
<div class="scroll"><table><thead><tr><th>model</th><th>version</th><th>status</th>${TABLE_METRICS.map((m) => `<th>${METRIC_LABELS[m]}</th>`).join("")}<th>production NDCG@10 (same test)</th><th>train s</th></tr></thead>
<tbody>${rows}</tbody></table></div>
${legend(modelNames, colourOf)}
<div class="charts">${TABLE_METRICS.map((m) => metricChart(m, report.models, colourOf)).join("\n")}</div>
<h2>NDCG@10 of the registered versions</h2>
${historyChart(report.history, colourOf)}
<h2>Validation (tuning)</h2>
<details><summary>Hyperparameters tried on the validation slice and their NDCG@10</summary>
<pre>${escape(JSON.stringify(report.validation, null, 2))}</pre></details>
</body></html>
`;
}
