// Worker entry in plain JavaScript: a worker thread does not always inherit the
// parent's TypeScript loader (node --test does not pass it on), so it registers
// tsx itself before loading the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./als-worker.ts");
