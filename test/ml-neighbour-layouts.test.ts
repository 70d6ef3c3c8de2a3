import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { artifactDigest, ID_MAPS, MANIFEST, sha256, type ManifestFile } from "../lib/models/artifact-format.ts";
import { planGraphCall, runGraph } from "../lib/models/graph-calls.ts";
import { TENSOR } from "../lib/models/graph-signatures.ts";
import { floats, indices, int64Tensor, loadSession } from "../lib/models/onnx.ts";
import { interactionMatrices, type Csr } from "../ml-models/data/csr.ts";
import { exportModel } from "../ml-models/export/export-model.ts";
import { ElementType, OnnxGraphBuilder } from "../ml-models/export/onnx-graph.ts";
import type { ItemNeighbourModel } from "../ml-models/models/item-neighbours.ts";
import { trainItemCf } from "../ml-models/models/item-cf.ts";
import { loadVersion } from "../ml-models/registry/load-model.ts";
import type { IdMap } from "../ml-models/data/dataset.ts";
import { plantedData, plantedDataset } from "./support/ml-planted-data.ts";

/** The table graph as versions exported it before the combined file: int64 table, one file per kind, plain output names. */
function legacyTableGraph(model: ItemNeighbourModel): Uint8Array {
  const g = new OnnxGraphBuilder("item_neighbours");
  g.input(TENSOR.itemIndex, ElementType.INT64, ["B"]);
  g.int64Tensor("neighbour_index", model.neighbourIndex, [model.itemCount, model.width]);
  g.floatTensor("neighbour_score", model.neighbourScore, [model.itemCount, model.width]);
  g.node("Gather", ["neighbour_score", TENSOR.itemIndex], [TENSOR.scores], { axis: 0 });
  g.node("Gather", ["neighbour_index", TENSOR.itemIndex], [TENSOR.indices], { axis: 0 });
  g.output(TENSOR.scores, ElementType.FLOAT, ["B", model.width]);
  g.output(TENSOR.indices, ElementType.INT64, ["B", model.width]);
  return g.encode({ kind: "item-neighbours" });
}

async function writeVersion(dir: string, files: { file: string; bytes: Uint8Array }[], ids: { users: number[]; items: number[] }, serving?: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const listed: ManifestFile[] = [];
  for (const { file, bytes } of files) {
    await writeFile(join(dir, file), bytes);
    listed.push({ file, sha256: sha256(bytes), bytes: bytes.byteLength });
  }
  await writeFile(join(dir, ID_MAPS), JSON.stringify(ids));
  await writeFile(join(dir, MANIFEST), JSON.stringify({ name: "item-cf", version: 1, files: listed, ...(serving ? { serving } : {}) }));
  return artifactDigest(listed);
}

describe("neighbour model file layouts", () => {
  let root: string;
  let model: ItemNeighbourModel;
  let userMap: IdMap;
  let itemMap: IdMap;
  let history: Csr;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "shelfgraph-neighbour-layouts-"));
    const dataset = plantedDataset(plantedData());
    userMap = dataset.userMap;
    itemMap = dataset.itemMap;
    const train = interactionMatrices(dataset.interactions, userMap.ids.length, itemMap.ids.length);
    history = train.userItem;
    model = trainItemCf(train, { neighbours: 10, shrinkage: 0, userDamping: 0 });
  });

  after(() => rm(root, { recursive: true, force: true }));

  it("the combined file answers each kind alone, with the signature's output names", async () => {
    const exported = await exportModel(model, history);
    assert.deepEqual(exported.files.map((f) => f.file), ["neighbours.onnx"]);
    const session = await loadSession(exported.files[0]!.bytes);
    const items = [0, 3, 7];

    const table = await runGraph(session, planGraphCall(session, "item-neighbours"), { [TENSOR.itemIndex]: int64Tensor(items) });
    assert.deepEqual(Object.keys(table).sort(), [TENSOR.indices, TENSOR.scores]);
    assert.deepEqual([...indices(table[TENSOR.indices])], items.flatMap((item) => [...model.neighbourIndex.subarray(item * model.width, (item + 1) * model.width)]));

    const reader = int64Tensor([1, 2, 5]);
    const top = await runGraph(session, planGraphCall(session, "history-top-k"), { [TENSOR.history]: reader, [TENSOR.k]: int64Tensor([5]) });
    assert.deepEqual(Object.keys(top).sort(), [TENSOR.indices, TENSOR.scores]);
    const topItems = [...indices(top[TENSOR.indices])];
    const scored = await runGraph(session, planGraphCall(session, "history-scorer"), { [TENSOR.history]: reader, [TENSOR.itemIndex]: int64Tensor(topItems) });
    assert.deepEqual(Object.keys(scored), [TENSOR.score]);
    // The scorer and the top-K read the same sums: the top-K's scores are the scorer's at its items.
    assert.deepEqual([...floats(scored[TENSOR.score])], [...floats(top[TENSOR.scores])]);
  });

  it("a version exported before the combined file (int64 table, one file per kind) still serves and warm-starts", async () => {
    const ids = { users: [...userMap.ids], items: [...itemMap.ids] };
    const legacyDir = join(root, "legacy");
    const legacyDigest = await writeVersion(legacyDir, [{ file: "item-neighbours.onnx", bytes: legacyTableGraph(model) }], ids);
    const exported = await exportModel(model, history);
    const combinedDir = join(root, "combined");
    const combinedDigest = await writeVersion(combinedDir, exported.files, ids, exported.serving);

    const legacySession = await loadSession(join(legacyDir, "item-neighbours.onnx"));
    const legacyCall = planGraphCall(legacySession, "item-neighbours");
    assert.equal(legacyCall.fetches, undefined, "a one-kind file runs whole");
    const combinedSession = await loadSession(join(combinedDir, "neighbours.onnx"));
    const feeds = { [TENSOR.itemIndex]: int64Tensor([2, 4]) };
    const legacy = await runGraph(legacySession, legacyCall, feeds);
    const combined = await runGraph(combinedSession, planGraphCall(combinedSession, "item-neighbours"), feeds);
    assert.deepEqual([...indices(legacy[TENSOR.indices])], [...indices(combined[TENSOR.indices])]);
    assert.deepEqual([...floats(legacy[TENSOR.scores])], [...floats(combined[TENSOR.scores])]);

    const current = { userMap, itemMap };
    const hyperparameters = { neighbours: 10 };
    for (const [dir, digest] of [
      [legacyDir, legacyDigest],
      [combinedDir, combinedDigest],
    ] as const) {
      const loaded = (await loadVersion({ name: "item-cf", artifactPath: dir, sha256: digest, hyperparameters }, current)) as ItemNeighbourModel;
      assert.deepEqual([...loaded.neighbourIndex], [...model.neighbourIndex], dir);
      assert.deepEqual([...loaded.neighbourScore], [...model.neighbourScore], dir);
    }
  });
});
