// Worker entry in plain JavaScript: a worker thread does not always inherit the
// parent's TypeScript loader. Compiled (dist/) the JavaScript worker sits beside it;
// from source it registers tsx itself first.
import { existsSync } from "node:fs";

const compiled = new URL("./generate-worker.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./generate-worker.ts");
}
