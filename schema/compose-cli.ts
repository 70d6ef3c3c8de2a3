import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { composeSupergraph, SUPERGRAPH_FILE } from "./compose.ts";

/** `npm run compose` writes the supergraph; `npm run compose -- --check` fails when the committed one is stale. */
try {
  const supergraph = composeSupergraph();
  const path = fileURLToPath(SUPERGRAPH_FILE);
  if (process.argv.includes("--check")) {
    const committed = readFileSync(path, "utf8");
    if (committed !== supergraph) {
      process.stderr.write(`${path} is stale: run npm run compose\n`);
      process.exit(1);
    }
    process.stdout.write("supergraph is up to date\n");
  } else {
    writeFileSync(path, supergraph);
    process.stdout.write(`wrote ${path}\n`);
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
