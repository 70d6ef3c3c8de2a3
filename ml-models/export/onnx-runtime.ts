import type { InferenceSession, Tensor } from "../../lib/models/onnx.ts";

export { floats, floatTensor, indices, int64Tensor, loadSession } from "../../lib/models/onnx.ts";

export async function run(session: InferenceSession, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  return (await session.run(feeds)) as Record<string, Tensor>;
}
