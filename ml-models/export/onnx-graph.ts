import onnxProto from "onnx-proto";

const { onnx } = onnxProto;
type AttributeValue = number | number[] | string | { tensor: onnxProto.onnx.ITensorProto } | { graph: onnxProto.onnx.IGraphProto };

export const OPSET = 17;
const IR_VERSION = 8;

export const ElementType = {
  FLOAT: onnx.TensorProto.DataType.FLOAT,
  INT32: onnx.TensorProto.DataType.INT32,
  INT64: onnx.TensorProto.DataType.INT64,
  BOOL: onnx.TensorProto.DataType.BOOL,
} as const;
export type ElementType = (typeof ElementType)[keyof typeof ElementType];

/** A dimension is a fixed size or a symbolic name (batch, history length...). */
export type Dimension = number | string;

/**
 * Builds an ONNX graph node by node with the onnx-proto definitions: enough of the
 * format for the dense linear-algebra graphs the exporters write, nothing more.
 */
export class OnnxGraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];

  constructor(private readonly name: string) {}

  input(name: string, type: ElementType, dims: Dimension[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: ElementType, dims: Dimension[]): string {
    this.outputs.push(valueInfo(name, type, dims));
    return name;
  }

  floatTensor(name: string, data: Float32Array, dims: number[]): string {
    this.initializers.push(floatTensorProto(name, data, dims));
    return name;
  }

  int64Tensor(name: string, data: ArrayLike<number>, dims: number[]): string {
    this.initializers.push(int64TensorProto(name, data, dims));
    return name;
  }

  /** Half the bytes of int64 for large index tables; a Cast widens what leaves the graph. */
  int32Tensor(name: string, data: Int32Array, dims: number[]): string {
    this.initializers.push({ name, dims, dataType: ElementType.INT32, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    this.nodes.push({
      opType,
      name: `${this.name}/${opType}_${this.nodes.length}`,
      input: inputs,
      output: outputs,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return outputs[0]!;
  }

  /** The graph itself: a branch of an If node is one (it reads the outer graph's values by name). */
  graph(): onnxProto.onnx.IGraphProto {
    return { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }

  encode(metadata: Record<string, string> = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: "", version: OPSET }],
      producerName: "shelfgraph-ml-models",
      producerVersion: "1",
      graph: this.graph(),
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, elemType: ElementType, dims: Dimension[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function floatTensorProto(name: string, data: Float32Array, dims: number[]): onnxProto.onnx.ITensorProto {
  // raw_data is little-endian, as Float32Array is on every platform Node runs on.
  return { name, dims, dataType: ElementType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function int64TensorProto(name: string, data: ArrayLike<number>, dims: number[]): onnxProto.onnx.ITensorProto {
  const values = BigInt64Array.from(Array.from(data, (v) => BigInt(v)));
  return { name, dims, dataType: ElementType.INT64, rawData: new Uint8Array(values.buffer) };
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === "number") return { name, type: AttributeType.INT, i: value };
  if (typeof value === "string") return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ("graph" in value) return { name, type: AttributeType.GRAPH, g: value.graph };
  return { name, type: AttributeType.TENSOR, t: value.tensor };
}
