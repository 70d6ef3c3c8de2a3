import { Worker } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import type { Logger } from "../../../lib/logger.ts";
import { sessionOptions, type SessionThreads } from "../../../lib/models/onnx.ts";

type Feeds = Record<string, ort.Tensor>;
interface PlainTensor {
  type: ort.Tensor.Type;
  data: ort.Tensor.DataType;
  dims: readonly number[];
}
interface Pending {
  resolve(outputs: Feeds): void;
  reject(error: Error): void;
}
interface PoolWorker {
  worker: Worker;
  busy: number;
  pending: Map<number, Pending>;
}

const WORKER_URL = new URL("./inference-worker.mjs", import.meta.url);

/**
 * A small pool of worker threads that run large inference batches so the event
 * loop keeps serving other requests meanwhile. Each worker opens its own session per
 * model file (sessions cannot cross threads), the first time that file is used.
 */
export class InferencePool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private stopped = false;

  constructor(
    private readonly size: number,
    private readonly logger: Logger,
    private readonly threads: SessionThreads = {},
  ) {}

  /** `fetches`: the outputs to compute (one kind of a combined file); all when undefined. */
  async run(path: string, feeds: Feeds, fetches?: readonly string[]): Promise<Feeds> {
    if (this.stopped) throw new Error("inference pool is stopped");
    const target = this.pick();
    const id = this.nextId++;
    const plain: Record<string, PlainTensor> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, tensor] of Object.entries(feeds)) {
      // A copy we own, so its buffer can move to the worker without touching the caller's.
      const data = (tensor.data as Float32Array | BigInt64Array).slice();
      plain[name] = { type: tensor.type, data, dims: tensor.dims };
      transfer.push(data.buffer as ArrayBuffer);
    }
    target.busy += 1;
    return new Promise<Feeds>((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage({ type: "run", id, path, feeds: plain, fetches }, transfer);
    }).finally(() => {
      target.busy -= 1;
    });
  }

  /** Releases a retired model file's sessions in every worker. */
  forget(path: string): void {
    for (const entry of this.workers) entry.worker.postMessage({ type: "forget", path });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const workers = this.workers.splice(0);
    for (const entry of workers) for (const pending of entry.pending.values()) pending.reject(new Error("inference pool stopped"));
    await Promise.allSettled(workers.map((entry) => entry.worker.terminate()));
  }

  private pick(): PoolWorker {
    if (this.workers.length < this.size) return this.spawn();
    return this.workers.reduce((best, entry) => (entry.busy < best.busy ? entry : best));
  }

  private spawn(): PoolWorker {
    const worker = new Worker(WORKER_URL, { workerData: { sessionOptions: sessionOptions(this.threads) } });
    // Idle workers must not keep a process (a test, a CLI) alive.
    worker.unref();
    const entry: PoolWorker = { worker, busy: 0, pending: new Map() };
    worker.on("message", (message: { id: number; outputs?: Record<string, PlainTensor>; error?: string }) => {
      const pending = entry.pending.get(message.id);
      if (!pending) return;
      entry.pending.delete(message.id);
      if (message.error !== undefined || !message.outputs) {
        pending.reject(new Error(message.error ?? "inference worker returned nothing"));
        return;
      }
      const outputs: Feeds = {};
      for (const [name, tensor] of Object.entries(message.outputs)) {
        outputs[name] = new ort.Tensor(tensor.type, tensor.data as Float32Array, tensor.dims);
      }
      pending.resolve(outputs);
    });
    const fail = (error: Error) => {
      this.logger.error({ err: error }, "inference worker failed");
      for (const pending of entry.pending.values()) pending.reject(error);
      entry.pending.clear();
      const index = this.workers.indexOf(entry);
      if (index >= 0) this.workers.splice(index, 1);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (!this.stopped && code !== 0) fail(new Error(`inference worker exited with code ${code}`));
    });
    this.workers.push(entry);
    return entry;
  }
}
