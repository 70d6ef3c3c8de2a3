import { readFile } from "node:fs/promises";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { HYBRID_RECIPE, servingDescriptionOf } from "../../lib/models/artifact-format.ts";
import { readFloatInitializer } from "../../lib/models/onnx.ts";
import type { AnyAlgorithm, StoredVersion } from "../algorithms/algorithm.ts";
import { HYBRID, loadHybrid } from "../algorithms/hybrid.ts";
import { algorithmNamed, ALGORITHMS } from "../algorithms/registry.ts";
import type { IdMap } from "../data/dataset.ts";
import type { Recommender } from "../models/recommender.ts";
import { CorruptArtifactError, ID_MAPS, verifyVersion } from "./artifacts.ts";
import type { ModelVersionRow } from "./registry.ts";

const { onnx } = onnxProto;

export interface CurrentIndex {
  readonly userMap: IdMap;
  readonly itemMap: IdMap;
}

/**
 * Rebuilds a registered version as a Recommender over *today's* user and item
 * indices, from the parameters stored in its ONNX graphs and its id maps: this is
 * how production is re-scored on the candidate's test set. Users or books the old
 * version never saw get nothing from it (zero factors, no neighbours), exactly as
 * in serving. Which graphs hold what is the model's algorithm's business.
 */
export async function loadVersion(
  row: Pick<ModelVersionRow, "name" | "artifactPath" | "sha256" | "hyperparameters">,
  current: CurrentIndex,
  resolveComponent?: (name: string, version: number) => Promise<Recommender>,
  algorithms: readonly AnyAlgorithm[] = ALGORITHMS,
): Promise<Recommender> {
  const path = row.artifactPath;
  const manifest = await verifyVersion(path, row.sha256);
  if (row.name === HYBRID) {
    if (!resolveComponent) throw new Error("loading a hybrid needs its components");
    const recipe = JSON.parse(await readFile(join(path, HYBRID_RECIPE), "utf8")) as { components: { model: string; weight: number; version: number }[] };
    return loadHybrid(recipe, resolveComponent);
  }
  const algorithm = algorithmNamed(row.name, algorithms);
  if (!algorithm) throw new CorruptArtifactError(path, `unknown model ${row.name}`);
  const maps = JSON.parse(await readFile(join(path, ID_MAPS), "utf8").catch(() => "null")) as { users: number[]; items: number[] } | null;
  if (!maps) throw new CorruptArtifactError(path, `${ID_MAPS} missing`);
  const userRemap = remap(maps.users, current.userMap);
  const itemRemap = remap(maps.items, current.itemMap);
  const userCount = current.userMap.ids.length;
  const itemCount = current.itemMap.ids.length;
  const version: StoredVersion = {
    path,
    hyperparameters: row.hyperparameters,
    userCount,
    itemCount,
    graphFile(kind) {
      const file = servingDescriptionOf(path, manifest).graphs[kind];
      if (!file) throw new CorruptArtifactError(path, `no ${kind} graph`);
      return file;
    },
    async floatRows(file, initializer, side) {
      let stored: { data: Float32Array; dims: number[] };
      try {
        stored = await readFloatInitializer(join(path, file), initializer);
      } catch (error) {
        throw new CorruptArtifactError(path, (error as Error).message);
      }
      const width = stored.dims.length > 1 ? stored.dims[1]! : 1;
      return side === "users"
        ? { data: remapRows(stored.data, width, userRemap, userCount), width }
        : { data: remapRows(stored.data, width, itemRemap, itemCount), width };
    },
    async itemTable(file, initializer) {
      const { data, dims } = await readIndexInitializer(path, file, initializer);
      const width = dims[1] ?? 1;
      const out = new Int32Array(itemCount * width).fill(-1);
      for (let old = 0; old < itemRemap.length; old++) {
        const now = itemRemap[old]!;
        if (now < 0) continue;
        for (let j = 0; j < width; j++) {
          const value = data[old * width + j]!;
          out[now * width + j] = value < 0 ? -1 : itemRemap[value]!;
        }
      }
      return { data: out, width };
    },
  };
  return algorithm.load(version);
}

/** old index -> current index (-1 when the id is gone). */
function remap(oldIds: readonly number[], current: IdMap): Int32Array {
  return Int32Array.from(oldIds, (id) => current.index.get(id) ?? -1);
}

function remapRows(values: Float32Array, width: number, mapping: Int32Array, rows: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let old = 0; old < mapping.length; old++) {
    const now = mapping[old]!;
    if (now >= 0) out.set(values.subarray(old * width, (old + 1) * width), now * width);
  }
  return out;
}

/** Index initializers (neighbour tables: int32 now, int64 in older versions) as Int32Array; lib's reader covers the float ones. */
async function readIndexInitializer(dir: string, file: string, name: string): Promise<{ data: Int32Array; dims: number[] }> {
  const model = onnx.ModelProto.decode(await readFile(join(dir, file)));
  const tensor = model.graph?.initializer?.find((t) => t.name === name);
  const { INT32, INT64 } = onnx.TensorProto.DataType;
  if (!tensor?.rawData || (tensor.dataType !== INT64 && tensor.dataType !== INT32)) throw new CorruptArtifactError(dir, `${file} has no integer ${name} tensor`);
  // Copied: the decoded bytes may be unaligned for a typed view.
  const aligned = new Uint8Array(tensor.rawData);
  const data =
    tensor.dataType === INT32
      ? new Int32Array(aligned.buffer, 0, aligned.byteLength / 4)
      : Int32Array.from(new BigInt64Array(aligned.buffer, 0, aligned.byteLength / 8), (v) => Number(v));
  return { data, dims: (tensor.dims ?? []).map((d) => Number(d)) };
}
