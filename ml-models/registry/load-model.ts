import { readFile } from "node:fs/promises";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { readFloatInitializer } from "../../lib/models/onnx.ts";
import type { IdMap } from "../data/dataset.ts";
import { AlsModel, DEFAULT_ALS } from "../models/als.ts";
import { ContentModel, DEFAULT_CONTENT } from "../models/content.ts";
import { HybridModel } from "../models/hybrid.ts";
import { ItemCfModel } from "../models/item-cf.ts";
import { PopularityModel } from "../models/popularity.ts";
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
 * in serving.
 */
export async function loadVersion(
  row: Pick<ModelVersionRow, "name" | "artifactPath" | "sha256" | "hyperparameters">,
  current: CurrentIndex,
  resolveComponent?: (name: string, version: number) => Promise<Recommender>,
): Promise<Recommender> {
  const path = row.artifactPath;
  await verifyVersion(path, row.sha256);
  const maps = JSON.parse(await readFile(join(path, ID_MAPS), "utf8").catch(() => "null")) as { users: number[]; items: number[] } | null;
  const userRemap = maps ? remap(maps.users, current.userMap) : null;
  const itemRemap = maps ? remap(maps.items, current.itemMap) : null;
  const need = <T>(value: T | null, what: string): T => {
    if (value === null) throw new CorruptArtifactError(path, `${what} missing`);
    return value;
  };
  const initializer = async (file: string, name: string) => {
    try {
      return (await readFloatInitializer(join(path, file), name)).data;
    } catch (error) {
      throw new CorruptArtifactError(path, (error as Error).message);
    }
  };
  switch (row.name) {
    case "popularity": {
      const scores = await initializer("popularity-scorer.onnx", "popularity");
      return new PopularityModel(remapRows(scores, 1, need(itemRemap, ID_MAPS), current.itemMap.ids.length), {
        halfLifeFraction: Number(row.hyperparameters.halfLifeFraction ?? Infinity),
      });
    }
    case "als": {
      const users = await initializer("scorer.onnx", "user_factors");
      const items = await initializer("scorer.onnx", "item_factors");
      const k = Number(row.hyperparameters.factors);
      const params = { ...DEFAULT_ALS, ...(row.hyperparameters as object), factors: k };
      return new AlsModel(
        remapRows(users, k, need(userRemap, ID_MAPS), current.userMap.ids.length),
        remapRows(items, k, need(itemRemap, ID_MAPS), current.itemMap.ids.length),
        current.userMap.ids.length,
        current.itemMap.ids.length,
        params,
      );
    }
    case "content": {
      const embeddings = await initializer("item-top-k.onnx", "embeddings");
      const d = Number(row.hyperparameters.dimensions);
      return new ContentModel(
        remapRows(embeddings, d, need(itemRemap, ID_MAPS), current.itemMap.ids.length),
        current.itemMap.ids.length,
        d,
        Number(row.hyperparameters.vocabularySize ?? 0),
        { ...DEFAULT_CONTENT, ...(row.hyperparameters as object), dimensions: d },
      );
    }
    case "item-cf": {
      const index = await readInt64Initializer(path, "item-neighbours.onnx", "neighbour_index");
      const score = await initializer("item-neighbours.onnx", "neighbour_score");
      const k = Number(row.hyperparameters.neighbours);
      const items = need(itemRemap, ID_MAPS);
      const itemCount = current.itemMap.ids.length;
      const newIndex = new Int32Array(itemCount * k).fill(-1);
      const newScore = new Float32Array(itemCount * k);
      for (let old = 0; old < items.length; old++) {
        const now = items[old]!;
        if (now < 0) continue;
        let n = 0;
        for (let j = 0; j < k; j++) {
          const neighbour = index[old * k + j]!;
          if (neighbour < 0) break;
          const mapped = items[neighbour]!;
          if (mapped < 0) continue;
          newIndex[now * k + n] = mapped;
          newScore[now * k + n] = score[old * k + j]!;
          n++;
        }
      }
      return new ItemCfModel(newIndex, newScore, itemCount, { neighbours: k, shrinkage: Number(row.hyperparameters.shrinkage ?? 0), userDamping: Number(row.hyperparameters.userDamping ?? 0) });
    }
    case "hybrid": {
      const recipe = JSON.parse(await readFile(join(path, "hybrid.json"), "utf8")) as { components: { model: string; weight: number; version: number }[] };
      if (!resolveComponent) throw new Error("loading a hybrid needs its components");
      const components = [];
      for (const c of recipe.components) components.push({ model: await resolveComponent(c.model, c.version), weight: c.weight });
      return new HybridModel(components);
    }
    default:
      throw new CorruptArtifactError(path, `unknown model ${row.name}`);
  }
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

/** Int64 initializers (the CF neighbour table) as Int32Array; lib's reader covers the float ones. */
async function readInt64Initializer(dir: string, file: string, name: string): Promise<Int32Array> {
  const model = onnx.ModelProto.decode(await readFile(join(dir, file)));
  const tensor = model.graph?.initializer?.find((t) => t.name === name);
  if (!tensor?.rawData || tensor.dataType !== onnx.TensorProto.DataType.INT64) throw new CorruptArtifactError(dir, `${file} has no int64 ${name} tensor`);
  const aligned = new Uint8Array(tensor.rawData);
  return Int32Array.from(new BigInt64Array(aligned.buffer, 0, aligned.byteLength / 8), (v) => Number(v));
}
