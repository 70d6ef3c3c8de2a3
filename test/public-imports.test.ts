import assert from "node:assert/strict";
import { builtinModules } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

/**
 * Production code imports packages through their public entry points, and only
 * packages package.json declares: a deep import (`pkg/dist/...`) or a transitive
 * dependency used directly compiles today and breaks on the next upgrade.
 */
const ROOT = new URL("../", import.meta.url);
const PRODUCTION_DIRS = ["lib", "gateway", "subgraphs", "schema", "prisma", "ml-models"];
const TOP_LEVEL_FILES = ["start.ts", "supergraph.ts", "build.ts"];
const SKIP_DIRS = new Set(["node_modules", "generated", "artifacts"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(new URL(dir, ROOT), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIP_DIRS.has(entry.name) ? [] : sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

function bareSpecifiers(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((match) => match[1]!);
  // Module names only: the pattern also meets prose like `from "` inside strings.
  return specifiers.filter((specifier) => /^(@[a-z0-9-]+\/)?[a-z0-9][\w.-]*(\/[\w.@-]+)*$/i.test(specifier) && !specifier.startsWith("node:"));
}

const packageName = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

describe("production imports", () => {
  const manifest = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]);
  const imports = [...TOP_LEVEL_FILES, ...PRODUCTION_DIRS.flatMap(sourceFiles)].flatMap((file) =>
    bareSpecifiers(readFileSync(new URL(file, ROOT), "utf8")).map((specifier) => ({ file, specifier })),
  );

  it("finds the imports it checks", () => {
    assert.ok(imports.some((entry) => entry.specifier === "@apollo/server"));
  });

  it("reach packages through their public entry points, never their build output", () => {
    const deep = imports.filter((entry) => /\/(dist|build|lib|src)\//.test(`${entry.specifier}/`.slice(packageName(entry.specifier).length)));
    assert.deepEqual(deep, []);
  });

  it("name only packages package.json declares", () => {
    const undeclared = imports.filter((entry) => !declared.has(packageName(entry.specifier)) && !builtinModules.includes(entry.specifier));
    assert.deepEqual(undeclared, []);
  });
});
