import { parentPort } from "node:worker_threads";
import { solveRows, type AlsSolverParams } from "./als-solver.ts";

/**
 * An ALS helper thread: it solves a range of rows of a half-step in factor arrays
 * shared with the main thread (SharedArrayBuffer), so nothing is copied per step.
 */
interface SharedCsr {
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
}

interface InitMessage {
  type: "init";
  userItem: SharedCsr;
  itemUser: SharedCsr;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  params: AlsSolverParams;
}

interface SolveMessage {
  type: "solve";
  side: "users" | "items";
  gram: Float64Array;
  from: number;
  to: number;
}

let state: InitMessage | null = null;

parentPort!.on("message", (message: InitMessage | SolveMessage) => {
  if (message.type === "init") {
    state = message;
    parentPort!.postMessage({ type: "ready" });
    return;
  }
  try {
    if (!state) throw new Error("ALS worker used before init");
    const users = message.side === "users";
    solveRows(
      users ? state.userItem : state.itemUser,
      users ? state.userFactors : state.itemFactors,
      users ? state.itemFactors : state.userFactors,
      message.gram,
      state.params,
      message.from,
      message.to,
    );
    parentPort!.postMessage({ type: "done" });
  } catch (error) {
    parentPort!.postMessage({ type: "error", message: (error as Error).message });
  }
});
