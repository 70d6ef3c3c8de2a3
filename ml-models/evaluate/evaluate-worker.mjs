// Worker entry in plain JavaScript: a worker thread does not always inherit the
// parent's TypeScript loader, so it registers tsx itself first.
import { register } from "tsx/esm/api";

register();
await import("./evaluate-worker.ts");
