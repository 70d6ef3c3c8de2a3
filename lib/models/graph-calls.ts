import * as ort from "onnxruntime-node";
import { GRAPH_SIGNATURES, type GraphKind } from "./graph-signatures.ts";
import type { InferenceSession, Tensor } from "./onnx.ts";

/**
 * One graph kind run in a session. A file may hold several kinds over the same
 * initializers (a neighbour model's table, history top-K and history scorer read one
 * matrix, and ONNX Runtime keeps a copy of the initializers per session); its outputs
 * are then named `<kind>/<tensor>` so each kind's stay apart. A run fetches only its
 * kind's outputs, and ONNX Runtime wants every declared input: the other kinds' inputs
 * get empty placeholders. It still runs every node whatever is fetched, so such a file
 * guards each kind's work on its inputs (ml-models/export/graphs.ts, `neighbourGraph`).
 */
export interface GraphCall {
  readonly kind: GraphKind;
  /** Output names to fetch; undefined for a file of one kind (fetch everything). */
  readonly fetches: readonly string[] | undefined;
  /** Empty tensors for inputs of other kinds in a combined file. */
  readonly placeholders: Readonly<Record<string, Tensor>>;
}

/** A combined file's name for one kind's output. */
export function combinedOutputName(kind: GraphKind, tensor: string): string {
  return `${kind}/${tensor}`;
}

export function planGraphCall(session: Pick<InferenceSession, "outputNames" | "inputMetadata">, kind: GraphKind): GraphCall {
  const prefix = combinedOutputName(kind, "");
  const fetches = session.outputNames.filter((name) => name.startsWith(prefix));
  if (fetches.length === 0) return { kind, fetches: undefined, placeholders: {} };
  const own = new Set<string>(GRAPH_SIGNATURES[kind].inputs);
  const placeholders: Record<string, Tensor> = {};
  for (const input of session.inputMetadata) {
    if (own.has(input.name)) continue;
    if (!input.isTensor) throw new Error(`combined graph input ${input.name} is not a tensor`);
    placeholders[input.name] = emptyTensor(input.type, input.shape);
  }
  return { kind, fetches, placeholders };
}

/** The call's feeds: the kind's own plus the placeholders a combined file needs. */
export function feedsFor(call: GraphCall, feeds: Record<string, Tensor>): Record<string, Tensor> {
  return call.fetches ? { ...call.placeholders, ...feeds } : feeds;
}

/** Outputs under the signature's names, whichever file layout produced them. */
export function plainOutputs(call: GraphCall, outputs: Record<string, Tensor>): Record<string, Tensor> {
  if (!call.fetches) return outputs;
  const prefix = combinedOutputName(call.kind, "");
  const plain: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(outputs)) if (name.startsWith(prefix)) plain[name.slice(prefix.length)] = tensor;
  return plain;
}

export async function runGraph(session: InferenceSession, call: GraphCall, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const completed = feedsFor(call, feeds);
  const outputs = call.fetches ? await session.run(completed, call.fetches) : await session.run(completed);
  return plainOutputs(call, outputs as Record<string, Tensor>);
}

/** Symbolic dimensions become 0, so the placeholder holds nothing. */
function emptyTensor(type: Tensor.Type, shape: readonly (number | string)[]): Tensor {
  const dims = shape.map((d) => (typeof d === "number" && d >= 0 ? d : 0));
  const size = dims.reduce((a, b) => a * b, 1);
  switch (type) {
    case "int64":
      return new ort.Tensor("int64", new BigInt64Array(size), dims);
    case "int32":
      return new ort.Tensor("int32", new Int32Array(size), dims);
    case "float32":
      return new ort.Tensor("float32", new Float32Array(size), dims);
    default:
      throw new Error(`no placeholder for a ${type} input`);
  }
}
