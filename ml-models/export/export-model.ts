import type { Csr } from "../data/csr.ts";
import { scoreAllRows } from "../linalg/dense.ts";
import { createRandom } from "../linalg/random.ts";
import { topK } from "../linalg/top-k.ts";
import type { AlsModel } from "../models/als.ts";
import type { ContentModel } from "../models/content.ts";
import type { HybridModel } from "../models/hybrid.ts";
import type { ItemCfModel } from "../models/item-cf.ts";
import type { PopularityModel } from "../models/popularity.ts";
import type { Recommender } from "../models/recommender.ts";
import {
  embeddingHistoryTopKGraph,
  embeddingItemTopKGraph,
  factorScorerGraph,
  neighbourHistoryTopKGraph,
  neighbourTableGraph,
  popularityScorerGraph,
  popularityTopKGraph,
  userVectorGraph,
  vectorScorerGraph,
  vectorTopKGraph,
} from "./graphs.ts";
import { floats, floatTensor, indices, int64Tensor, loadSession, run } from "./onnx-runtime.ts";

export const TOLERANCE = 1e-4;
const SAMPLE = 32;
const K = 10;

export interface ExportedFile {
  readonly file: string;
  readonly bytes: Uint8Array;
}

export interface GraphCheck {
  readonly file: string;
  readonly samples: number;
  readonly maxAbsDiff: number;
}

export interface ModelExport {
  readonly files: ExportedFile[];
  readonly checks: GraphCheck[];
}

export class ExportVerificationError extends Error {
  constructor(model: string, file: string, diff: number) {
    super(`${model}: ${file} disagrees with the TypeScript model by ${diff.toExponential(2)} (tolerance ${TOLERANCE})`);
    this.name = "ExportVerificationError";
  }
}

/**
 * Writes a model's serving graphs and checks each with onnxruntime-node against the
 * TypeScript model on a sample of users/items: any difference above 1e-4 fails the
 * export (and with it the run), so a wrong graph never reaches the registry.
 */
export interface ExportOptions {
  readonly seed?: number;
  /** For the hybrid's recipe: the registered version of each component trained in the same run. */
  readonly componentVersions?: Readonly<Record<string, number>>;
}

export async function exportModel(model: Recommender, history: Csr, options: ExportOptions = {}): Promise<ModelExport> {
  const sampler = new Sampler(options.seed ?? 3);
  switch (model.name) {
    case "als":
      return exportAls(model as AlsModel, history, sampler);
    case "item-cf":
      return exportItemCf(model as ItemCfModel, history, sampler);
    case "content":
      return exportContent(model as ContentModel, history, sampler);
    case "popularity":
      return exportPopularity(model as PopularityModel, history, sampler);
    case "hybrid":
      return exportHybrid(model as HybridModel, options.componentVersions ?? {});
  }
}

class Sampler {
  private readonly random: () => number;
  constructor(seed: number) {
    this.random = createRandom(seed);
  }
  pick(count: number, size: number): number[] {
    return Array.from({ length: count }, () => Math.floor(this.random() * size));
  }
  /** Users with some history (so history graphs get a non-empty input). */
  usersWithHistory(history: Csr, count: number): number[] {
    const candidates: number[] = [];
    for (let u = 0; u < history.rows; u++) if (history.indptr[u + 1]! > history.indptr[u]!) candidates.push(u);
    return this.pick(Math.min(count, candidates.length), candidates.length).map((i) => candidates[i]!);
  }
}

function historyOf(history: Csr, user: number): Int32Array {
  return history.indices.subarray(history.indptr[user]!, history.indptr[user + 1]!);
}

/** Largest disagreement between an ONNX top-K and the TypeScript scores (by position and by item). */
function rankedDiff(onnxScores: Float32Array, onnxIndices: Int32Array, reference: Float32Array): number {
  const expected = topK(reference, onnxIndices.length);
  let diff = 0;
  for (let r = 0; r < onnxIndices.length; r++) {
    const byItem = Math.abs(onnxScores[r]! - reference[onnxIndices[r]!]!);
    const byPosition = Math.abs(onnxScores[r]! - reference[expected[r]!]!);
    diff = Math.max(diff, byItem, byPosition);
  }
  if (onnxIndices.length !== expected.length) return Infinity;
  return diff;
}

function check(model: string, file: string, samples: number, diff: number): GraphCheck {
  if (!(diff <= TOLERANCE)) throw new ExportVerificationError(model, file, diff);
  return { file, samples, maxAbsDiff: diff };
}

function excludeHistory(scores: Float32Array, items: ArrayLike<number>): void {
  for (let e = 0; e < items.length; e++) scores[items[e]!] = -Infinity;
}

/** A history top-K graph (a reader's items -> best unseen items) against the model's own scoring of sampled readers. */
async function checkHistoryTopK(
  name: string,
  graph: Uint8Array,
  model: { itemCount: number; scoreUser(user: number, history: Csr, out: Float32Array): void },
  history: Csr,
  sampler: Sampler,
): Promise<GraphCheck> {
  const session = await loadSession(graph);
  const reference = new Float32Array(model.itemCount);
  const users = sampler.usersWithHistory(history, SAMPLE);
  let diff = 0;
  for (const u of users) {
    const seen = historyOf(history, u);
    const out = await run(session, { history: int64Tensor(seen), k: int64Tensor([K]) });
    model.scoreUser(u, history, reference);
    excludeHistory(reference, seen);
    diff = Math.max(diff, rankedDiff(floats(out.scores), indices(out.indices), reference));
  }
  return check(name, "history-top-k.onnx", users.length, diff);
}

async function exportAls(model: AlsModel, history: Csr, sampler: Sampler): Promise<ModelExport> {
  const k = model.factors;
  const scorer = factorScorerGraph(model.userFactors, model.itemFactors, model.userCount, model.itemCount, k);
  const userVectors = userVectorGraph(model.userFactors, model.userCount, k);
  const userTopK = vectorTopKGraph(model.itemFactors, model.itemCount, k);
  const vectorScorer = vectorScorerGraph(model.itemFactors, model.itemCount, k);
  const checks: GraphCheck[] = [];

  const users = sampler.pick(SAMPLE * 8, model.userCount);
  const items = sampler.pick(SAMPLE * 8, model.itemCount);
  const scored = floats((await run(await loadSession(scorer), { user_index: int64Tensor(users), item_index: int64Tensor(items) })).score);
  let diff = 0;
  users.forEach((u, n) => {
    let expected = 0;
    for (let f = 0; f < k; f++) expected += model.userFactors[u * k + f]! * model.itemFactors[items[n]! * k + f]!;
    diff = Math.max(diff, Math.abs(expected - scored[n]!));
  });
  checks.push(check("als", "scorer.onnx", users.length, diff));

  const vectorScored = floats(
    (
      await run(await loadSession(vectorScorer), {
        user_vector: floatTensor(Float32Array.from(users.flatMap((u) => Array.from(model.userFactors.subarray(u * k, (u + 1) * k)))), [users.length, k]),
        item_index: int64Tensor(items),
      })
    ).score,
  );
  diff = 0;
  users.forEach((_u, n) => (diff = Math.max(diff, Math.abs(vectorScored[n]! - scored[n]!))));
  checks.push(check("als", "vector-scorer.onnx", users.length, diff));

  const sample = sampler.usersWithHistory(history, SAMPLE);
  const vectors = floats((await run(await loadSession(userVectors), { user_index: int64Tensor(sample) })).user_vector);
  diff = 0;
  sample.forEach((u, n) => {
    for (let f = 0; f < k; f++) diff = Math.max(diff, Math.abs(vectors[n * k + f]! - model.userFactors[u * k + f]!));
  });
  checks.push(check("als", "user-vectors.onnx", sample.length, diff));

  const topKSession = await loadSession(userTopK);
  const reference = new Float32Array(model.itemCount);
  diff = 0;
  for (const u of sample) {
    const seen = historyOf(history, u);
    const out = await run(topKSession, {
      user_vector: floatTensor(model.userFactors.slice(u * k, (u + 1) * k), [1, k]),
      exclude: int64Tensor(seen),
      k: int64Tensor([K]),
    });
    model.scoreUser(u, history, reference);
    excludeHistory(reference, seen);
    diff = Math.max(diff, rankedDiff(floats(out.scores), indices(out.indices), reference));
  }
  checks.push(check("als", "user-top-k.onnx", sample.length, diff));
  return {
    files: [
      { file: "scorer.onnx", bytes: scorer },
      { file: "user-vectors.onnx", bytes: userVectors },
      { file: "user-top-k.onnx", bytes: userTopK },
      { file: "vector-scorer.onnx", bytes: vectorScorer },
    ],
    checks,
  };
}

async function exportItemCf(model: ItemCfModel, history: Csr, sampler: Sampler): Promise<ModelExport> {
  const n = model.params.neighbours;
  const table = neighbourTableGraph(model.neighbourIndex, model.neighbourScore, model.itemCount, n);
  const historyTopK = neighbourHistoryTopKGraph(model.neighbourIndex, model.neighbourScore, model.itemCount, n);
  const checks: GraphCheck[] = [];

  const items = sampler.pick(SAMPLE, model.itemCount);
  const out = await run(await loadSession(table), { item_index: int64Tensor(items) });
  const scores = floats(out.scores);
  const ids = indices(out.indices);
  let diff = 0;
  items.forEach((item, b) => {
    for (let j = 0; j < n; j++) {
      if (ids[b * n + j] !== model.neighbourIndex[item * n + j]) diff = Infinity;
      diff = Math.max(diff, Math.abs(scores[b * n + j]! - model.neighbourScore[item * n + j]!));
    }
  });
  checks.push(check("item-cf", "item-neighbours.onnx", items.length, diff));

  checks.push(await checkHistoryTopK("item-cf", historyTopK, model, history, sampler));
  return {
    files: [
      { file: "item-neighbours.onnx", bytes: table },
      { file: "history-top-k.onnx", bytes: historyTopK },
    ],
    checks,
  };
}

async function exportContent(model: ContentModel, history: Csr, sampler: Sampler): Promise<ModelExport> {
  const d = model.dimensions;
  const itemTopK = embeddingItemTopKGraph(model.embeddings, model.itemCount, d);
  const historyTopK = embeddingHistoryTopKGraph(model.embeddings, model.itemCount, d);
  const checks: GraphCheck[] = [];
  const reference = new Float32Array(model.itemCount);

  const itemSession = await loadSession(itemTopK);
  const items = sampler.pick(SAMPLE, model.itemCount);
  let diff = 0;
  for (const item of items) {
    const out = await run(itemSession, { item_index: int64Tensor([item]), k: int64Tensor([K]) });
    scoreAllRows(model.embeddings, model.itemCount, d, model.embeddings.subarray(item * d, (item + 1) * d), reference);
    reference[item] = -Infinity;
    diff = Math.max(diff, rankedDiff(floats(out.scores), indices(out.indices), reference));
  }
  checks.push(check("content", "item-top-k.onnx", items.length, diff));

  checks.push(await checkHistoryTopK("content", historyTopK, model, history, sampler));
  return {
    files: [
      { file: "item-top-k.onnx", bytes: itemTopK },
      { file: "history-top-k.onnx", bytes: historyTopK },
    ],
    checks,
  };
}

async function exportPopularity(model: PopularityModel, history: Csr, sampler: Sampler): Promise<ModelExport> {
  const ranked = popularityTopKGraph(model.scores);
  const scorer = popularityScorerGraph(model.scores);
  const checks: GraphCheck[] = [];
  const rankedSession = await loadSession(ranked);
  const users = sampler.usersWithHistory(history, SAMPLE);
  const reference = new Float32Array(model.itemCount);
  let diff = 0;
  for (const seen of [new Int32Array(0), ...users.map((u) => historyOf(history, u))]) {
    const out = await run(rankedSession, { exclude: int64Tensor(seen), k: int64Tensor([K]) });
    reference.set(model.scores);
    excludeHistory(reference, seen);
    diff = Math.max(diff, rankedDiff(floats(out.scores), indices(out.indices), reference));
  }
  checks.push(check("popularity", "popularity-top-k.onnx", users.length + 1, diff));
  const items = sampler.pick(SAMPLE, model.itemCount);
  const scores = floats((await run(await loadSession(scorer), { item_index: int64Tensor(items) })).score);
  diff = 0;
  items.forEach((item, n) => (diff = Math.max(diff, Math.abs(scores[n]! - model.scores[item]!))));
  checks.push(check("popularity", "popularity-scorer.onnx", items.length, diff));
  return {
    files: [
      { file: "popularity-top-k.onnx", bytes: ranked },
      { file: "popularity-scorer.onnx", bytes: scorer },
    ],
    checks,
  };
}

/** The hybrid is a recipe over the other models' graphs: standardise each component's scores, then blend. */
async function exportHybrid(model: HybridModel, versions: Readonly<Record<string, number>>): Promise<ModelExport> {
  const recipe = {
    combine: "weighted sum of per-user standardised (z-score over the catalogue) component scores",
    components: model.components.map((c) => ({ model: c.model.name, version: versions[c.model.name] ?? null, weight: c.weight })),
  };
  return { files: [{ file: "hybrid.json", bytes: new TextEncoder().encode(`${JSON.stringify(recipe, null, 2)}\n`) }], checks: [] };
}
