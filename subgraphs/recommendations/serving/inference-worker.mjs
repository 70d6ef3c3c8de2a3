// Runs ONNX inference off the main thread: onnxruntime-node's run() is a synchronous
// native call that blocks its thread for the whole batch. Plain JavaScript so the
// worker starts without a TypeScript loader. Sessions are cached per model file.
import { parentPort, workerData } from "node:worker_threads";
import * as ort from "onnxruntime-node";

/** @type {Map<string, Promise<ort.InferenceSession>>} */
const sessions = new Map();

function sessionFor(path) {
  let session = sessions.get(path);
  if (!session) {
    session = ort.InferenceSession.create(path, workerData?.sessionOptions ?? {});
    sessions.set(path, session);
    session.catch(() => sessions.delete(path));
  }
  return session;
}

parentPort.on("message", async (message) => {
  if (message.type === "forget") {
    const session = sessions.get(message.path);
    sessions.delete(message.path);
    if (session) session.then((s) => s.release()).catch(() => {});
    return;
  }
  try {
    const session = await sessionFor(message.path);
    const feeds = {};
    for (const [name, tensor] of Object.entries(message.feeds)) feeds[name] = new ort.Tensor(tensor.type, tensor.data, tensor.dims);
    const results = message.fetches ? await session.run(feeds, message.fetches) : await session.run(feeds);
    const outputs = {};
    const transfer = [];
    for (const [name, tensor] of Object.entries(results)) {
      const data = tensor.data.slice();
      outputs[name] = { type: tensor.type, data, dims: [...tensor.dims] };
      transfer.push(data.buffer);
    }
    parentPort.postMessage({ id: message.id, outputs }, transfer);
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
