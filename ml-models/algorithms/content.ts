import { INITIALIZER, TENSOR } from "../../lib/models/graph-signatures.ts";
import { embeddingHistoryTopKGraph, embeddingItemTopKGraph } from "../export/graphs.ts";
import { floats, indices, int64Tensor, loadSession, run } from "../export/onnx-runtime.ts";
import { check, checkHistoryTopK, K, rankedDiff, SAMPLE } from "../export/verify.ts";
import { scoreAllRows } from "../linalg/dense.ts";
import { shared } from "../models/als-parallel.ts";
import { ContentModel, DEFAULT_CONTENT, trainContent, type ContentParams } from "../models/content.ts";
import { defineAlgorithm } from "./algorithm.ts";

const FILES = { itemTopK: "item-top-k.onnx", historyTopK: "history-top-k.onnx" } as const;

/** Content-based: TF-IDF of the books' metadata reduced to embeddings; needs no interactions. */
export const content = defineAlgorithm<ContentModel, ContentParams>({
  name: "content",
  role: "content",
  firstRun: true,
  defaults: DEFAULT_CONTENT,
  // Embeddings do not depend on interactions: nothing to tune on the validation slice.
  searchSpace: [],
  unavailable: (data) => (data.features?.some((f) => f !== undefined) ? null : "no book metadata"),
  train: async (data, params) => trainContent(data.features!, params),
  paramsOf: (model) => model.params,
  snapshot: (model) => ({
    embeddings: model.embeddings.buffer instanceof SharedArrayBuffer ? model.embeddings : shared(model.embeddings),
    itemCount: model.itemCount,
    dimensions: model.dimensions,
    vocabularySize: model.vocabularySize,
    params: model.params,
  }),
  restore: (s) => new ContentModel(s.embeddings as Float32Array, s.itemCount as number, s.dimensions as number, s.vocabularySize as number, s.params as ContentParams),
  async export(model, history, sampler) {
    const d = model.dimensions;
    const itemTopK = embeddingItemTopKGraph(model.embeddings, model.itemCount, d);
    const historyTopK = embeddingHistoryTopKGraph(model.embeddings, model.itemCount, d);
    const reference = new Float32Array(model.itemCount);
    const itemSession = await loadSession(itemTopK);
    const items = sampler.pick(SAMPLE, model.itemCount);
    let diff = 0;
    for (const item of items) {
      const out = await run(itemSession, { [TENSOR.itemIndex]: int64Tensor([item]), [TENSOR.k]: int64Tensor([K]) });
      scoreAllRows(model.embeddings, model.itemCount, d, model.embeddings.subarray(item * d, (item + 1) * d), reference);
      reference[item] = -Infinity;
      diff = Math.max(diff, rankedDiff(floats(out[TENSOR.scores]), indices(out[TENSOR.indices]), reference));
    }
    return {
      files: [
        { file: FILES.itemTopK, bytes: itemTopK },
        { file: FILES.historyTopK, bytes: historyTopK },
      ],
      checks: [check("content", FILES.itemTopK, items.length, diff), await checkHistoryTopK("content", FILES.historyTopK, historyTopK, model, history, sampler)],
      serving: { role: "content", graphs: { "item-top-k": FILES.itemTopK, "history-top-k": FILES.historyTopK } },
    };
  },
  async load(version) {
    const { data, width } = await version.floatRows(FILES.itemTopK, INITIALIZER.embeddings, "items");
    const stored = version.hyperparameters;
    return new ContentModel(data, version.itemCount, width, Number(stored.vocabularySize ?? 0), { ...DEFAULT_CONTENT, ...(stored as object), dimensions: width });
  },
});
