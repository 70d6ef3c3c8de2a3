import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { exportModel } from "../ml-models/export/export-model.ts";
import { trainOnFiles } from "../ml-models/pipeline/train-files.ts";
import { metricTable } from "../ml-models/report/table.ts";

/**
 * The pipeline on real ratings: ../shared/data/goodbooks-10k (ratings.csv in time
 * order, so the per-user time split holds out each reader's last 20%; books.csv
 * gives titles, authors, year and language to the content model). Prints every
 * model's metrics, best NDCG@10 over popularity's (target >= 2x), iALS against
 * item-item CF, and the time of the whole pipeline: read, split, tune, train,
 * evaluate, export to ONNX and verify (target < 3 min on 2 cores), with the load
 * average beside it since the machine may be shared. `npx tsx bench/ml-goodbooks.ts [DIR]` reads DIR instead
 * (a worktree's own ../shared). Skips when the data is absent.
 */
const dir = process.argv[2] ? `${process.argv[2].replace(/\/$/, "")}/` : fileURLToPath(new URL("../../shared/data/goodbooks-10k/", import.meta.url));
const ratings = `${dir}ratings.csv`;
const books = `${dir}books.csv`;
if (!existsSync(ratings)) {
  process.stdout.write(`skipped: ${ratings} not found\n`);
  process.exit(0);
}

const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(" ");
const started = performance.now();
const { result } = await trainOnFiles({ data: ratings, ...(existsSync(books) ? { items: books } : {}) });
const trained = performance.now();
let checks = 0;
for (const { model } of result.models.values()) checks += (await exportModel(model, result.train.userItem)).checks.length;
const finished = performance.now();

const rows = [...result.models.values()].map((m) => ({ name: m.model.name, metrics: m.metrics, seconds: m.trainSeconds }));
const popularity = result.models.get("popularity")!.metrics.ndcgAt10;
const ndcg = (name: string) => result.models.get(name)?.metrics.ndcgAt10 ?? Number.NaN;
const best = rows.reduce((a, b) => (b.metrics.ndcgAt10 > a.metrics.ndcgAt10 ? b : a));
process.stdout.write(
  [
    `goodbooks-10k sample: ${result.counts.trainRows + result.counts.testRows} ratings, ${result.counts.userCount} readers, ${result.counts.itemCount} books; test ${result.counts.testRows} (per-user last 20%)`,
    "",
    metricTable(rows),
    "",
    `best: ${best.name}, NDCG@10 ${best.metrics.ndcgAt10.toFixed(4)} = ${(best.metrics.ndcgAt10 / popularity).toFixed(2)}x popularity (target >= 2x)`,
    `iALS vs item-item CF: NDCG@10 ${ndcg("als").toFixed(4)} vs ${ndcg("item-cf").toFixed(4)} (${(ndcg("als") / ndcg("item-cf")).toFixed(2)}x)`,
    `validation choices: ${JSON.stringify(result.validation)}`,
    `pipeline: ${((finished - started) / 1000).toFixed(1)} s (train + evaluate ${((trained - started) / 1000).toFixed(1)} s, of which the final evaluation ${result.evaluationSeconds.toFixed(1)} s; ONNX export + ${checks} checks ${((finished - trained) / 1000).toFixed(1)} s; target < 180 s)`,
    `CPU time ${(process.cpuUsage().user / 1e6).toFixed(1)} s user (main thread and workers); load average at start ${loadAtStart}, at end ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  ].join("\n") + "\n",
);
