import type { Csr } from "../data/csr.ts";
import { createRandom } from "../linalg/random.ts";
import { topK } from "../linalg/top-k.ts";
import { TENSOR } from "../../lib/models/graph-signatures.ts";
import type { ServingDescription } from "../../lib/models/serving-description.ts";
import { planGraphCall, runGraph } from "../../lib/models/graph-calls.ts";
import { floats, indices, int64Tensor, loadSession } from "./onnx-runtime.ts";

/** Largest difference allowed between an exported graph and the TypeScript model it came from. */
export const TOLERANCE = 1e-4;
export const SAMPLE = 32;
export const K = 10;

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
  /** How the server loads and runs the version (written into its manifest). */
  readonly serving: ServingDescription;
}

export class ExportVerificationError extends Error {
  constructor(model: string, file: string, diff: number) {
    super(`${model}: ${file} disagrees with the TypeScript model by ${diff.toExponential(2)} (tolerance ${TOLERANCE})`);
    this.name = "ExportVerificationError";
  }
}

/** Deterministic picks of users and items for the checks. */
export class Sampler {
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

/** A reader's training items in time order, oldest first (the `history` input's convention). */
export function historyOf(history: Csr, user: number): Int32Array {
  return history.indices.subarray(history.indptr[user]!, history.indptr[user + 1]!);
}

/** Largest disagreement between an ONNX top-K and the TypeScript scores (by position and by item). */
export function rankedDiff(onnxScores: Float32Array, onnxIndices: Int32Array, reference: Float32Array): number {
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

export function check(model: string, file: string, samples: number, diff: number): GraphCheck {
  if (!(diff <= TOLERANCE)) throw new ExportVerificationError(model, file, diff);
  return { file, samples, maxAbsDiff: diff };
}

export function excludeHistory(scores: Float32Array, items: ArrayLike<number>): void {
  for (let e = 0; e < items.length; e++) scores[items[e]!] = -Infinity;
}

interface ScoresUsers {
  readonly itemCount: number;
  scoreUser(user: number, history: Csr, out: Float32Array): void;
}

/** A history top-K graph (a reader's items -> best unseen items; alone or in a combined file) against the model's own scoring of sampled readers. */
export async function checkHistoryTopK(name: string, file: string, graph: Uint8Array, model: ScoresUsers, history: Csr, sampler: Sampler): Promise<GraphCheck> {
  const session = await loadSession(graph);
  const call = planGraphCall(session, "history-top-k");
  const reference = new Float32Array(model.itemCount);
  const users = sampler.usersWithHistory(history, SAMPLE);
  let diff = 0;
  for (const u of users) {
    const seen = historyOf(history, u);
    const out = await runGraph(session, call, { [TENSOR.history]: int64Tensor(seen), [TENSOR.k]: int64Tensor([K]) });
    model.scoreUser(u, history, reference);
    excludeHistory(reference, seen);
    diff = Math.max(diff, rankedDiff(floats(out[TENSOR.scores]), indices(out[TENSOR.indices]), reference));
  }
  return check(name, file, users.length, diff);
}

/** A history scorer graph (a reader's items, some books -> those books' scores) against the model's scoring. */
export async function checkHistoryScorer(name: string, file: string, graph: Uint8Array, model: ScoresUsers, history: Csr, sampler: Sampler): Promise<GraphCheck> {
  const session = await loadSession(graph);
  const call = planGraphCall(session, "history-scorer");
  const reference = new Float32Array(model.itemCount);
  const users = sampler.usersWithHistory(history, SAMPLE);
  let diff = 0;
  for (const u of users) {
    const items = sampler.pick(SAMPLE, model.itemCount);
    const out = await runGraph(session, call, { [TENSOR.history]: int64Tensor(historyOf(history, u)), [TENSOR.itemIndex]: int64Tensor(items) });
    model.scoreUser(u, history, reference);
    const scores = floats(out[TENSOR.score]);
    items.forEach((item, n) => (diff = Math.max(diff, Math.abs(scores[n]! - reference[item]!))));
  }
  return check(name, file, users.length, diff);
}
