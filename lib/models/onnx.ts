import { readFile } from "node:fs/promises";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";

/** Thin typed helpers over onnxruntime-node, shared by the exporter's checks and serving. */
export type { InferenceSession, Tensor } from "onnxruntime-node";

/**
 * Threads one session may use. onnxruntime's default is a pool with a spinning
 * thread per core: on the 2-core machines serving runs on, its spinning competed with
 * the event loop and PostgreSQL and tripled the CPU of the same inference work
 * (measured in bench/README.md), so serving opens its graphs with few threads.
 */
export interface SessionThreads {
  /** Unset: onnxruntime's default (one per core). */
  intraOp?: number;
}

export function sessionOptions(threads: SessionThreads): ort.InferenceSession.SessionOptions {
  return threads.intraOp === undefined ? {} : { intraOpNumThreads: threads.intraOp, interOpNumThreads: 1 };
}

export async function loadSession(model: Uint8Array | string, threads: SessionThreads = {}): Promise<ort.InferenceSession> {
  const options = sessionOptions(threads);
  return typeof model === "string" ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);
}

export function int64Tensor(values: ArrayLike<number>, dims: number[] = [values.length]): ort.Tensor {
  // A plain loop: this runs for every serving batch, and the Array.from detour doubles its cost.
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]!);
  return new ort.Tensor("int64", data, dims);
}

export function floatTensor(values: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor("float32", values, dims);
}

export function floats(tensor: ort.Tensor | undefined): Float32Array {
  if (!tensor || tensor.type !== "float32") throw new Error(`expected a float32 output, got ${tensor?.type ?? "nothing"}`);
  return tensor.data as Float32Array;
}

export function indices(tensor: ort.Tensor | undefined): Int32Array {
  if (!tensor || tensor.type !== "int64") throw new Error(`expected an int64 output, got ${tensor?.type ?? "nothing"}`);
  // A plain loop: Int32Array.from with a map function goes through an iterator per element.
  const data = tensor.data as BigInt64Array;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]!);
  return out;
}

/**
 * A float initializer of an ONNX file (e.g. ALS item factors, content embeddings):
 * serving needs some of a graph's constants outside the graph (the fold-in solve,
 * diversity re-ranking), and reading them from the file keeps one source of truth.
 */
export async function readFloatInitializer(path: string, name: string): Promise<{ data: Float32Array; dims: number[] }> {
  const model = onnxProto.onnx.ModelProto.decode(await readFile(path));
  const tensor = model.graph?.initializer?.find((t) => t.name === name);
  if (!tensor) throw new Error(`${path} has no initializer ${name}`);
  const dims = (tensor.dims ?? []).map((d) => Number(d));
  if (tensor.rawData && tensor.rawData.byteLength > 0) {
    // Copy: the decoded buffer may be unaligned for a Float32Array view.
    const copy = new Uint8Array(tensor.rawData);
    return { data: new Float32Array(copy.buffer, 0, copy.byteLength / 4), dims };
  }
  return { data: Float32Array.from(tensor.floatData ?? []), dims };
}
