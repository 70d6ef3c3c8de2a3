/**
 * `npm run build`: production code compiled to JavaScript in dist/, same relative
 * layout as the sources (dist/start.js, dist/gateway/main.js,
 * dist/subgraphs/<name>/main.js, ...), so it starts without a TypeScript loader.
 * tsc type-checks and emits (relative `.ts` imports rewritten to `.js`); then the
 * files the code reads beside itself at run time are copied over: schema.graphql
 * files, the supergraph, plain-JavaScript worker entries (.mjs), migrations.
 */
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, join, relative } from "node:path";

const OUT = "dist";
const SOURCE_DIRS = ["lib", "gateway", "subgraphs", "schema", "prisma", "ml-models"];
/** Trained artifacts and local data are run-time state (MODEL_ARTIFACTS_DIR, PGLITE_DATA_DIR), not build output. */
const SKIP_DIRS = new Set(["node_modules", "artifacts"]);
const SKIP_EXTENSIONS = new Set([".ts", ".md"]);

rmSync(OUT, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const compiled = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
if (compiled.status !== 0) {
  process.stderr.write("build: tsc failed\n");
  process.exit(compiled.status ?? 1);
}

let copied = 0;
function copyAssets(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) copyAssets(path);
    } else if (entry.isFile() && !SKIP_EXTENSIONS.has(extname(entry.name))) {
      cpSync(path, join(OUT, relative(".", path)));
      copied += 1;
    }
  }
}
for (const dir of SOURCE_DIRS) copyAssets(dir);
process.stdout.write(`build: compiled to ${OUT}/ and copied ${copied} run-time files; start with \`npm run start:prod\`\n`);
