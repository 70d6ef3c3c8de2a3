import type { GraphKind } from "../../../lib/models/graph-signatures.ts";
import type { Tensor } from "../../../lib/models/onnx.ts";
import type { InferenceRunner } from "./inference-runner.ts";
import type { LoadedModel } from "./loaded-model.ts";

/** How to run many requests of one kind through one graph call and hand each its answer. */
export interface BatchedGraph<Request, Result> {
  readonly kind: GraphKind;
  /** Rows one call can take when requests cannot share a call (e.g. each masks its own history). */
  readonly maxRows?: number;
  feeds(model: LoadedModel, requests: readonly Request[]): Record<string, Tensor>;
  split(outputs: Record<string, Tensor>, requests: readonly Request[]): Result[];
}

interface Waiting<Request, Result> {
  requests: readonly Request[];
  resolve(results: Result[]): void;
  reject(error: unknown): void;
}

interface Queue {
  model: LoadedModel;
  graph: BatchedGraph<unknown, unknown>;
  waiting: Waiting<unknown, unknown>[];
}

/**
 * Gathers the inference requests of one event-loop turn (or a window of a few ms), across every concurrent
 * GraphQL request, into one `session.run` per model graph (split at `maxBatch`
 * rows). A per-request DataLoader already merges one query's lookups; this layer
 * merges concurrent queries, which is where the throughput under load comes from.
 * With batching off every request runs alone (the bench's baseline).
 */
export class SharedBatcher {
  private queues = new Map<string, Queue>();
  private scheduled = false;

  constructor(
    private readonly runner: InferenceRunner,
    private readonly maxBatch: number,
    /** 0: flush at the end of the current event-loop turn; more: wait that long for concurrent queries to join. */
    private readonly windowMs: number,
    public enabled = true,
  ) {}

  run<Request, Result>(model: LoadedModel, graph: BatchedGraph<Request, Result>, requests: readonly Request[]): Promise<Result[]> {
    if (requests.length === 0) return Promise.resolve([]);
    if (!this.enabled) {
      // Unbatched baseline: one call per request row.
      return Promise.all(requests.map((request) => this.runChunk(model, graph, [request]))).then((results) => results.flat());
    }
    return new Promise<Result[]>((resolve, reject) => {
      const key = `${model.key}/${graph.kind}`;
      let queue = this.queues.get(key);
      if (!queue) {
        queue = { model, graph: graph as BatchedGraph<unknown, unknown>, waiting: [] };
        this.queues.set(key, queue);
      }
      queue.waiting.push({ requests, resolve: resolve as (results: unknown[]) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not nextTick: lets the other requests already in this turn's I/O callbacks enqueue too.
        if (this.windowMs > 0) setTimeout(() => this.flush(), this.windowMs);
        else setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queues = [...this.queues.values()];
    this.queues = new Map();
    for (const queue of queues) void this.flushQueue(queue);
  }

  private async flushQueue({ model, graph, waiting }: Queue): Promise<void> {
    const all = waiting.flatMap((entry) => entry.requests);
    try {
      const results: unknown[] = [];
      const size = Math.min(this.maxBatch, graph.maxRows ?? Infinity);
      for (let start = 0; start < all.length; start += size) {
        results.push(...(await this.runChunk(model, graph, all.slice(start, start + size))));
      }
      let offset = 0;
      for (const entry of waiting) {
        entry.resolve(results.slice(offset, offset + entry.requests.length));
        offset += entry.requests.length;
      }
    } catch (error) {
      for (const entry of waiting) entry.reject(error);
    }
  }

  private async runChunk<Request, Result>(model: LoadedModel, graph: BatchedGraph<Request, Result>, requests: readonly Request[]): Promise<Result[]> {
    const outputs = await this.runner.run(model, graph.kind, graph.feeds(model, requests), requests.length);
    return graph.split(outputs, requests);
  }
}
