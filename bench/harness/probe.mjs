// Preloaded into every process the bench starts (`node --import probe.mjs ...`),
// ours and the reference alike, so no service carries bench code: once a second it
// appends the process's RSS (and what V8 and native buffers hold of it), CPU (share
// of one core) and event-loop delay p99/max over that second to BENCH_PROBE_FILE as
// one JSON line.
import { appendFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { isMainThread } from "node:worker_threads";

const file = process.env.BENCH_PROBE_FILE;
if (isMainThread && file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let cpu = process.cpuUsage();
  let at = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const used = process.cpuUsage(cpu);
    const memory = process.memoryUsage();
    const mb = (bytes) => Math.round(bytes / 1e5) / 10;
    const line = {
      t: Date.now(),
      rssMb: mb(memory.rss),
      heapTotalMb: mb(memory.heapTotal),
      heapUsedMb: mb(memory.heapUsed),
      externalMb: mb(memory.external),
      cpu: Math.round(((used.user + used.system) / 1000 / (now - at)) * 1000) / 1000,
      loopP99Ms: Math.round(delay.percentile(99) / 1e4) / 100,
      loopMaxMs: Math.round(delay.max / 1e4) / 100,
    };
    cpu = process.cpuUsage();
    at = now;
    delay.reset();
    try {
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      // The bench's folder went away: nothing left to report to.
    }
  }, 1000);
  timer.unref();
}
