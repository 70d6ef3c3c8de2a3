import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";

const LOGGER = new URL("../lib/logger.ts", import.meta.url).href;

/** Runs a script in a process of its own whose stdout is a pipe (as under a collector), as production logs. */
function runScript(body: string, onLine?: (line: string, child: ReturnType<typeof spawn>) => void) {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)};\nconst logger = createLogger({ LOG_LEVEL: "info", NODE_ENV: "production" }, "buffer-test");\n${body}`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let pending = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    const complete = pending.split("\n");
    pending = complete.pop()!;
    for (const line of complete) {
      lines.push(line);
      onLine?.(line, child);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, lines, exited };
}

describe("buffered production log lines", () => {
  it("writes every line of a process that dies of an uncaught exception", async () => {
    const run = runScript(`for (let i = 0; i < 200; i++) logger.info({ i }, "operation completed");\nlogger.fatal("about to fail");\nsetTimeout(() => { throw new Error("boom"); }, 10);`);
    assert.equal(await run.exited, 1);
    const parsed = run.lines.map((line) => JSON.parse(line) as { i?: number; msg: string });
    // Every line once; their order is not promised when the exit cuts into a buffered write (lib/logger.ts).
    const completed = parsed.filter((line) => line.msg === "operation completed").map((line) => line.i!);
    assert.deepEqual([...completed].sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i));
    assert.equal(parsed.filter((line) => line.msg === "about to fail").length, 1);
    assert.equal(parsed.length, 201);
  });

  it("writes every line of a process that calls process.exit right after logging", async () => {
    const run = runScript(`for (let i = 0; i < 50; i++) logger.info({ i }, "operation completed");\nlogger.error("exiting");\nprocess.exit(3);`);
    assert.equal(await run.exited, 3);
    assert.equal(run.lines.length, 51);
  });

  it("does not hold a quiet service's line: it appears while the process keeps running", async () => {
    const run = runScript(`logger.info("one quiet line");\nsetTimeout(() => {}, 20_000);`, (_line, child) => child.kill("SIGKILL"));
    // Killed as soon as the line arrived: had it waited for exit, it would never have been written.
    await run.exited;
    assert.equal(run.lines.length, 1);
    assert.equal((JSON.parse(run.lines[0]!) as { msg: string }).msg, "one quiet line");
  });
});
