import { parentPort, workerData } from "node:worker_threads";
import type { DemoDataOptions } from "./dataset.ts";
import { generateDemoData } from "./generate-demo-data.ts";

// The demo dataset computed off the main thread; typed arrays and strings cross by structured
// clone. The hidden model stays behind: it holds functions, and the seeder does not write it.
const { model: _model, ...writable } = generateDemoData(workerData as DemoDataOptions);
parentPort!.postMessage(writable);
