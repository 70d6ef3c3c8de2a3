import { setTimeout as sleep } from "node:timers/promises";
import { inferenceBatchSize, inferenceDuration } from "../../../lib/metrics/index.ts";
import { feedsFor, plainOutputs, runGraph } from "../../../lib/models/graph-calls.ts";
import type { GraphKind } from "../../../lib/models/graph-signatures.ts";
import type { Tensor } from "../../../lib/models/onnx.ts";
import type { InferencePool } from "./inference-pool.ts";
import type { LoadedModel } from "./loaded-model.ts";

export interface InferenceCounters {
  /** session.run calls, main thread and workers together. */
  calls: number;
  workerCalls: number;
  rows: number;
  byGraph: Record<string, number>;
}

/**
 * The graphs whose every row ranks the whole catalogue: the only ones whose batches
 * hold the event loop long enough to be worth a worker. A scorer's row is one dot
 * product and a neighbour lookup's one gather: 256 ALS pair scores take ~0.27 ms on
 * the main thread (`bench/inference.ts`), while a worker that runs them costs ~40 MiB
 * (its isolate and its own copy of the session). Under the signed-in flagship the
 * shared batches of pair scores reached 550 rows, and that started the worker.
 */
const CATALOGUE_RANKING: ReadonlySet<GraphKind> = new Set<GraphKind>(["user-top-k", "item-top-k", "history-top-k", "popularity-top-k"]);

/**
 * Where a graph runs: on the main thread, except batches of `workerThreshold` rows
 * or more of a graph that ranks the catalogue per row, which go to the worker pool.
 */
export class InferenceRunner {
  readonly counters: InferenceCounters = { calls: 0, workerCalls: 0, rows: 0, byGraph: {} };
  /** Fault injection for resilience drills: added before every inference call. */
  injectedDelayMs = 0;

  constructor(
    private readonly pool: InferencePool | null,
    private readonly workerThreshold: number,
  ) {}

  async run(model: LoadedModel, kind: GraphKind, feeds: Record<string, Tensor>, rows: number): Promise<Record<string, Tensor>> {
    const graph = `${model.name}/${kind}`;
    this.counters.calls += 1;
    this.counters.rows += rows;
    this.counters.byGraph[graph] = (this.counters.byGraph[graph] ?? 0) + 1;
    const labels = { model: model.name, graph: kind };
    const { file, call } = model.graph(kind);
    inferenceBatchSize.observe(labels, rows);
    const stopTimer = inferenceDuration.startTimer(labels);
    try {
      if (this.injectedDelayMs > 0) await sleep(this.injectedDelayMs);
      if (this.pool && rows >= this.workerThreshold && CATALOGUE_RANKING.has(kind)) {
        this.counters.workerCalls += 1;
        return plainOutputs(call, await this.pool.run(model.filePath(file), feedsFor(call, feeds), call.fetches));
      }
      return await runGraph(model.session(file), call, feeds);
    } finally {
      stopTimer();
    }
  }
}
