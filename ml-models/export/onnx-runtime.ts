import * as ort from "onnxruntime-node";

/** Thin typed helpers over onnxruntime-node for running the exported graphs. */
export async function loadSession(model: Uint8Array | string): Promise<ort.InferenceSession> {
  return typeof model === "string" ? ort.InferenceSession.create(model) : ort.InferenceSession.create(model);
}

export function int64Tensor(values: ArrayLike<number>, dims: number[] = [values.length]): ort.Tensor {
  return new ort.Tensor("int64", BigInt64Array.from(Array.from(values, (v) => BigInt(v))), dims);
}

export function floatTensor(values: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor("float32", values, dims);
}

export async function run(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  return (await session.run(feeds)) as Record<string, ort.Tensor>;
}

export function floats(tensor: ort.Tensor | undefined): Float32Array {
  if (!tensor || tensor.type !== "float32") throw new Error(`expected a float32 output, got ${tensor?.type ?? "nothing"}`);
  return tensor.data as Float32Array;
}

export function indices(tensor: ort.Tensor | undefined): Int32Array {
  if (!tensor || tensor.type !== "int64") throw new Error(`expected an int64 output, got ${tensor?.type ?? "nothing"}`);
  return Int32Array.from(tensor.data as BigInt64Array, (v) => Number(v));
}
