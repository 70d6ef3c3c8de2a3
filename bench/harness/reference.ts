import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The reference commit checked out in a temporary git worktree outside this
 * checkout, sharing its node_modules, with its own generated Prisma client. Reused
 * by later runs while it is there.
 */
export function prepareReference(repoRoot: string, commit: string, log: (line: string) => void): string {
  const dir = join(tmpdir(), `shelfgraph-bench-reference-${commit}`);
  const head = existsSync(dir) ? spawnSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" }).stdout.trim() : "";
  if (!head.startsWith(commit)) {
    log(`checking out ${commit} into ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    execFileSync("git", ["-C", repoRoot, "worktree", "prune"]);
    execFileSync("git", ["-C", repoRoot, "worktree", "add", "--detach", "--force", dir, commit], { stdio: "ignore" });
  }
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
  if (!existsSync(join(dir, "lib/db/generated/client.ts"))) {
    log("generating the reference's Prisma client");
    const generated = spawnSync(process.execPath, [join(repoRoot, "node_modules/prisma/build/index.js"), "generate"], {
      cwd: dir,
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? "/bin/true" },
      encoding: "utf8",
    });
    if (generated.status !== 0) throw new Error(`prisma generate failed in the reference worktree:\n${generated.stderr}`);
  }
  return dir;
}
