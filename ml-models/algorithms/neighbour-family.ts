import { INITIALIZER, TENSOR } from "../../lib/models/graph-signatures.ts";
import type { Csr } from "../data/csr.ts";
import { planGraphCall, runGraph } from "../../lib/models/graph-calls.ts";
import { neighbourGraph } from "../export/graphs.ts";
import { floats, indices, int64Tensor, loadSession } from "../export/onnx-runtime.ts";
import { check, checkHistoryScorer, checkHistoryTopK, SAMPLE, type ModelExport, type Sampler } from "../export/verify.ts";
import { shared } from "../models/als-parallel.ts";
import type { ItemNeighbourModel } from "../models/item-neighbours.ts";
import type { StoredVersion } from "./algorithm.ts";

/**
 * What every item-item algorithm (item-CF, RP3beta, EASE) shares once trained: a
 * neighbour table. Same snapshot, same graphs, same serving: the algorithm modules
 * differ only in how they fill the table. Its three graph kinds share one file
 * (versions exported before held one file per kind; both load).
 */
export const NEIGHBOUR_FILE = "neighbours.onnx";

export function snapshotNeighbours(model: ItemNeighbourModel): Record<string, unknown> {
  return { neighbourIndex: onShared(model.neighbourIndex), neighbourScore: onShared(model.neighbourScore), itemCount: model.itemCount };
}

export function restoredTable(snapshot: Record<string, unknown>): { index: Int32Array; score: Float32Array; itemCount: number } {
  return { index: snapshot.neighbourIndex as Int32Array, score: snapshot.neighbourScore as Float32Array, itemCount: snapshot.itemCount as number };
}

const onShared = <T extends Int32Array | Float32Array>(array: T): T => (array.buffer instanceof SharedArrayBuffer ? array : shared(array));

export async function exportNeighbours(name: string, model: ItemNeighbourModel, history: Csr, sampler: Sampler): Promise<ModelExport> {
  const n = model.width;
  const graph = neighbourGraph(model.neighbourIndex, model.neighbourScore, model.itemCount, n, model.recencyDecay);
  const session = await loadSession(graph);
  const items = sampler.pick(SAMPLE, model.itemCount);
  const out = await runGraph(session, planGraphCall(session, "item-neighbours"), { [TENSOR.itemIndex]: int64Tensor(items) });
  const scores = floats(out[TENSOR.scores]);
  const ids = indices(out[TENSOR.indices]);
  let diff = 0;
  items.forEach((item, b) => {
    for (let j = 0; j < n; j++) {
      if (ids[b * n + j] !== model.neighbourIndex[item * n + j]) diff = Infinity;
      diff = Math.max(diff, Math.abs(scores[b * n + j]! - model.neighbourScore[item * n + j]!));
    }
  });
  const label = (kind: string) => `${NEIGHBOUR_FILE}#${kind}`;
  return {
    files: [{ file: NEIGHBOUR_FILE, bytes: graph }],
    checks: [
      check(name, label("item-neighbours"), items.length, diff),
      await checkHistoryTopK(name, label("history-top-k"), graph, model, history, sampler),
      await checkHistoryScorer(name, label("history-scorer"), graph, model, history, sampler),
    ],
    serving: {
      role: "collaborative",
      graphs: { "item-neighbours": NEIGHBOUR_FILE, "history-top-k": NEIGHBOUR_FILE, "history-scorer": NEIGHBOUR_FILE },
    },
  };
}

/** A registered neighbour table over today's items (neighbours of books gone since are dropped). */
export async function loadNeighbours(version: StoredVersion): Promise<{ index: Int32Array; score: Float32Array; width: number }> {
  const file = version.graphFile("item-neighbours");
  const index = await version.itemTable(file, INITIALIZER.neighbourIndex);
  const score = await version.floatRows(file, INITIALIZER.neighbourScore, "items");
  const width = index.width;
  const itemCount = version.itemCount;
  // Compact each row: entries whose neighbour is gone (-1) leave gaps the scoring loop would stop at.
  const newIndex = new Int32Array(itemCount * width).fill(-1);
  const newScore = new Float32Array(itemCount * width);
  for (let i = 0; i < itemCount; i++) {
    let kept = 0;
    for (let j = 0; j < width; j++) {
      const neighbour = index.data[i * width + j]!;
      if (neighbour < 0) continue;
      newIndex[i * width + kept] = neighbour;
      newScore[i * width + kept] = score.data[i * width + j]!;
      kept++;
    }
  }
  return { index: newIndex, score: newScore, width };
}
