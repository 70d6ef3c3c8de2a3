import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";

const { onnx } = onnxProto;
const DOUBLE = onnx.TensorProto.DataType.DOUBLE;

let session: Promise<ort.InferenceSession> | undefined;

/** One graph, built once: onnxruntime's contrib `Inverse` (LU with pivoting, in C++), float64 in and out. */
function inverseSession(): Promise<ort.InferenceSession> {
  session ??= (() => {
    const square = (name: string) => ({ name, type: { tensorType: { elemType: DOUBLE, shape: { dim: [{ dimParam: "N" }, { dimParam: "N" }] } } } });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [
        { domain: "", version: 17 },
        { domain: "com.microsoft", version: 1 },
      ],
      producerName: "shelfgraph-ml-models",
      graph: { name: "inverse", node: [{ opType: "Inverse", domain: "com.microsoft", input: ["matrix"], output: ["inverse"] }], input: [square("matrix")], output: [square("inverse")] },
    });
    return ort.InferenceSession.create(onnx.ModelProto.encode(model).finish());
  })();
  return session;
}

/**
 * The inverse of an n x n matrix (row-major float64) computed by onnxruntime: the
 * dense algebra EASE needs runs there about 20x faster than a JavaScript loop
 * (n = 2,000: ~6 s against ~2 min), since it is blocked for the cache.
 */
export async function invertWithOnnxRuntime(matrix: Float64Array, n: number): Promise<Float64Array> {
  if (matrix.length !== n * n) throw new Error(`expected ${n}x${n} values, got ${matrix.length}`);
  const output = await (await inverseSession()).run({ matrix: new ort.Tensor("float64", matrix, [n, n]) });
  const inverse = output.inverse;
  if (!inverse || inverse.type !== "float64") throw new Error("the inverse graph returned no float64 output");
  return inverse.data as Float64Array;
}
