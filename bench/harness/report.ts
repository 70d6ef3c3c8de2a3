import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LoadResult } from "./load.ts";
import { median, type PairedRounds } from "./paired-rounds.ts";
import type { ProcessUsage } from "./services.ts";

export interface RunRecord extends LoadResult {
  setup: string;
  scenario: string;
  connections: number;
  seconds: number;
  /** 1-minute load average around the run: how busy the machine was besides. */
  load1: number;
  processes: ProcessUsage[];
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  mode: "quick" | "full";
  seconds: number;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; loadAverageAtEnd: number[] };
  reference: { commit: string; head: string };
  firstStartSeconds: Record<string, number>;
  /** When the full model set replaced the first-start one, seconds from launch (absent in older reports). */
  fullModelsSeconds?: Record<string, number>;
  skipped: string[];
  runs: RunRecord[];
  /** Ours and the reference taking turns at the signed-in flagship once both were warm (absent in quick runs and older reports). */
  paired?: PairedRounds;
}

const README_START = "<!-- bench:results:start -->";
const README_END = "<!-- bench:results:end -->";

const find = (report: BenchReport, setup: string, scenario: string, connections = 50) =>
  report.runs.find((run) => run.setup === setup && run.scenario === scenario && run.connections === connections);

/** The issue's lines for the signed-in flagship: this many times the reference's throughput, and this p99. */
const TARGET_RATIO = 3;
const TARGET_P99_MS = 250;

/** The issue's acceptance lines, each computed from this run alone. */
export function verdicts(report: BenchReport): string[] {
  const lines: string[] = [];
  // Throughputs, single rounds' or medians: ours over theirs, to two decimals.
  const ratio = (ours?: number, theirs?: number) => (ours !== undefined && theirs !== undefined && theirs > 0 ? Math.round((ours / theirs) * 100) / 100 : null);
  const check = (ok: boolean | null) => (ok === null ? "n/a" : ok ? "yes" : "NO");
  const atLeast = (value: number | null, bound: number) => check(value === null ? null : value >= bound);
  const multi = find(report, "ours-multi", "flagship-signed-in");
  const multiRef = find(report, "reference-multi", "flagship-signed-in");
  const multiRatio = ratio(multi?.throughput, multiRef?.throughput);
  const rounds = report.paired?.rounds ?? [];
  if (rounds.length > 0) {
    // The fairer reading: both warm, taking turns, the median of each side.
    const oursMedian = median(rounds.map((r) => r.ours.throughput));
    const referenceMedian = median(rounds.map((r) => r.reference.throughput));
    const p99Median = median(rounds.map((r) => r.ours.p99));
    const pairedRatio = ratio(oursMedian, referenceMedian);
    const errors = rounds.reduce((sum, r) => sum + r.ours.errors, 0);
    lines.push(
      `Signed-in flagship, 50 connections, multi-process, ${rounds.length} round${rounds.length === 1 ? "" : "s"} each, taking turns once both were warm: ours ${rounds.map((r) => r.ours.throughput).join(" / ")} req/s (median ${oursMedian}), reference ${rounds.map((r) => r.reference.throughput).join(" / ")} (median ${referenceMedian}) = ${pairedRatio ?? "n/a"}x (>= ${TARGET_RATIO}x: ${atLeast(pairedRatio, TARGET_RATIO)}); p99 ${rounds.map((r) => r.ours.p99).join(" / ")} ms (median ${p99Median}, <= ${TARGET_P99_MS}: ${check(p99Median <= TARGET_P99_MS)}); errors ${errors}`,
    );
  }
  lines.push(
    `Signed-in flagship, 50 connections, multi-process${rounds.length > 0 ? ", each side's one round among its other scenarios" : ""}: ${multi?.throughput ?? "n/a"} vs reference ${multiRef?.throughput ?? "n/a"} req/s = ${multiRatio ?? "n/a"}x (>= ${TARGET_RATIO}x: ${atLeast(multiRatio, TARGET_RATIO)}); p99 ${multi?.p99 ?? "n/a"} ms (<= ${TARGET_P99_MS}: ${check(multi ? multi.p99 <= TARGET_P99_MS : null)}); errors ${multi?.errors ?? "n/a"}`,
  );
  const embedded = find(report, "ours-embedded", "flagship-signed-in");
  const embeddedRef = find(report, "reference-embedded", "flagship-signed-in");
  const embeddedRatio = ratio(embedded?.throughput, embeddedRef?.throughput);
  lines.push(`Signed-in flagship, 50 connections, embedded: ${embedded?.throughput ?? "n/a"} vs reference ${embeddedRef?.throughput ?? "n/a"} req/s = ${embeddedRatio ?? "n/a"}x (>= ${TARGET_RATIO}x: ${atLeast(embeddedRatio, TARGET_RATIO)})`);
  const title = find(report, "ours-multi", "book-title");
  const stock = find(report, "stock-gateway", "book-title");
  const direct = find(report, "direct", "book-title");
  const titleRatio = ratio(title?.throughput, stock?.throughput);
  lines.push(
    `book(id) { title }, 50 connections: ours ${title?.throughput ?? "n/a"}, stock gateway ${stock?.throughput ?? "n/a"}, books subgraph directly ${direct?.throughput ?? "n/a"} req/s; ours/stock ${titleRatio ?? "n/a"}x (>= 1: ${atLeast(titleRatio, 1)})`,
  );
  // Ours only: the reference commit's processes are measured beside them, not held to the target.
  const peakOf = (setups: (setup: string) => boolean) => {
    const sizes = report.runs.filter((run) => setups(run.setup)).flatMap((run) => run.processes.map((p) => p.rssMaxMb));
    return sizes.length > 0 ? Math.max(...sizes) : null;
  };
  const multiPeak = peakOf((setup) => !setup.startsWith("reference") && setup !== "ours-embedded");
  const embeddedPeak = peakOf((setup) => setup === "ours-embedded");
  const referencePeak = peakOf((setup) => setup.startsWith("reference"));
  const peaks = [multiPeak, embeddedPeak].filter((peak): peak is number => peak !== null);
  lines.push(
    `Largest process RSS during the run, ours: ${multiPeak ?? "n/a"} MB in the multi-process setups, ${embeddedPeak ?? "n/a"} MB embedded (<= 500: ${check(peaks.length === 0 ? null : Math.max(...peaks) <= 500)}); reference ${referencePeak ?? "n/a"} MB`,
  );
  for (const [name, seconds] of Object.entries(report.firstStartSeconds)) lines.push(`First start of ${name} (empty database to first model-driven flagship answer): ${seconds} s`);
  for (const [name, seconds] of Object.entries(report.fullModelsSeconds ?? {})) lines.push(`Full models of ${name} replaced the first-start set after: ${seconds} s`);
  return lines;
}

function table(report: BenchReport): string {
  const rows = report.runs.map((run) => {
    const processes = run.processes.map((p) => `${p.role} ${p.rssMaxMb} MB${p.heapTotalAtPeakMb !== undefined ? ` (V8 heap ${p.heapTotalAtPeakMb})` : ""} / ${p.cpuMean} cpu / loop p99 ${p.loopP99Ms} ms`).join("; ");
    return `| ${run.setup} | ${run.scenario} | ${run.connections} | ${run.throughput} | ${run.p50} | ${run.p95} | ${run.p99} | ${run.errors} | ${run.load1} | ${processes} |`;
  });
  return [
    "| setup | scenario | conn. | req/s | p50 ms | p95 ms | p99 ms | errors | load | per process: peak RSS (its main V8 heap then) / mean CPU (cores) / worst event-loop p99 |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...rows,
  ].join("\n");
}

function machineLine(report: BenchReport): string {
  const m = report.machine;
  return `${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GiB, Node ${m.node}; load average at the end ${m.loadAverageAtEnd.join(" / ")}; ${report.mode} run (${report.seconds} s per scenario) of ${report.reference.head} against ${report.reference.commit}, ${report.startedAt}`;
}

/** Throughput bars of every setup for the scenarios run at 50 connections. */
function chart(report: BenchReport): string {
  const runs = report.runs.filter((run) => run.connections === (report.runs.some((r) => r.connections === 50) ? 50 : report.runs[0]?.connections));
  const max = Math.max(1, ...runs.map((run) => run.throughput));
  const barHeight = 18;
  const left = 330;
  const width = 900;
  const rows = runs.map((run, i) => {
    const y = 40 + i * (barHeight + 6);
    const w = Math.max(1, Math.round(((width - left - 120) * run.throughput) / max));
    const colour = run.setup.startsWith("reference") ? "#9e9e9e" : run.setup === "stock-gateway" ? "#f4a259" : run.setup === "direct" ? "#8cb369" : "#3b7dd8";
    return [
      `<text x="${left - 8}" y="${y + 13}" text-anchor="end" font-size="12">${run.setup} · ${run.scenario}</text>`,
      `<rect x="${left}" y="${y}" width="${w}" height="${barHeight}" fill="${colour}"/>`,
      `<text x="${left + w + 6}" y="${y + 13}" font-size="12">${run.throughput} req/s · p99 ${run.p99} ms${run.errors ? ` · ${run.errors} errors` : ""}</text>`,
    ].join("");
  });
  const height = 60 + runs.length * (barHeight + 6);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="22" font-size="14" font-weight="bold">Throughput at ${runs[0]?.connections ?? 50} connections (${report.mode} run, ${report.startedAt.slice(0, 16)})</text>
${rows.join("\n")}
</svg>
`;
}

export function writeReport(report: BenchReport, dir: string, readmePath: string): string[] {
  mkdirSync(dir, { recursive: true });
  const lines = verdicts(report);
  const markdown = [
    "# Benchmark results",
    "",
    `Machine: ${machineLine(report)}.`,
    "",
    "Every number below comes from this one run; compare rows, not runs. The load column is the 1-minute load average while the scenario ran (other work on the machine).",
    "",
    "## Against the issue",
    "",
    ...lines.map((line) => `- ${line}`),
    ...(report.skipped.length > 0 ? ["", `Skipped: ${report.skipped.join("; ")}.`] : []),
    "",
    "## All scenarios",
    "",
    table(report),
    ...(report.paired ? ["", `## Taking turns: ${report.paired.scenario}, ${report.paired.connections} connections`, "", table({ ...report, runs: report.paired.rounds.flatMap((r) => [r.ours, r.reference]) })] : []),
    "",
    "![throughput](latest.svg)",
    "",
  ].join("\n");
  const files = [join(dir, "latest.md"), join(dir, "latest.json"), join(dir, "latest.svg")];
  writeFileSync(files[0]!, markdown);
  writeFileSync(files[1]!, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files[2]!, chart(report));
  if (existsSync(readmePath)) {
    const readme = readFileSync(readmePath, "utf8");
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    if (start >= 0 && end > start) {
      const section = [README_START, "", `Machine: ${machineLine(report)}.`, "", ...lines.map((line) => `- ${line}`), "", "Full table: [bench/results/latest.md](bench/results/latest.md).", "", README_END].join("\n");
      writeFileSync(readmePath, readme.slice(0, start) + section + readme.slice(end + README_END.length));
      files.push(readmePath);
    }
  }
  return files;
}
