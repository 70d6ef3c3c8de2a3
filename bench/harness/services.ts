import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const PROBE = new URL("./probe.mjs", import.meta.url).pathname;

/** One server process the bench started: its role, how to reach it, and its probe's file. */
export interface Service {
  readonly role: string;
  readonly url: string;
  readonly probeFile: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export interface ServiceSpec {
  role: string;
  /** Script to run, relative to cwd: .js runs as is, .ts under tsx (the reference commit has no build). */
  script: string;
  cwd: string;
  env: Record<string, string | undefined>;
  port: number;
  /** Path answering 200 once ready; `anyAnswer`: any HTTP answer means ready (a server that listens only once started). */
  readyPath?: string;
  anyAnswer?: boolean;
  readyTimeoutMs?: number;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

/** Starts a server process with the probe preloaded, logs into `workDir`, and waits until it answers. */
export async function startService(spec: ServiceSpec, workDir: string): Promise<Service> {
  const probeFile = join(workDir, `${spec.role}.probe.jsonl`);
  const loader = spec.script.endsWith(".ts") ? ["--import", "tsx"] : ["--enable-source-maps"];
  const log = createWriteStream(join(workDir, `${spec.role}.log`));
  const child = spawn(process.execPath, ["--import", PROBE, ...(spec.nodeArgs ?? []), ...loader, spec.script], {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env, BENCH_PROBE_FILE: probeFile },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const service: Service = {
    role: spec.role,
    url: `http://127.0.0.1:${spec.port}`,
    probeFile,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${spec.role} exited with ${child.exitCode}; see ${join(workDir, `${spec.role}.log`)}`);
    try {
      const response = await fetch(`${service.url}${spec.readyPath ?? "/health/ready"}`, { signal: AbortSignal.timeout(2000) });
      if (response.ok || spec.anyAnswer) return service;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await service.stop();
  throw new Error(`${spec.role} not ready within ${spec.readyTimeoutMs ?? 120_000} ms; see ${join(workDir, `${spec.role}.log`)}`);
}

export interface ProcessUsage {
  role: string;
  rssMaxMb: number;
  /** The main V8 heap's committed size in the sample of peak RSS (absent from probes of older code). */
  heapTotalAtPeakMb?: number;
  cpuMean: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

/** What a service's probe saw between two instants: peak RSS, mean CPU (cores), worst per-second event-loop p99. */
export function usageBetween(service: Service, from: number, to: number): ProcessUsage {
  const lines = existsSync(service.probeFile) ? readFileSync(service.probeFile, "utf8").trim().split("\n") : [];
  const samples = lines
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { t: number; rssMb: number; heapTotalMb?: number; cpu: number; loopP99Ms: number; loopMaxMs: number })
    .filter((sample) => sample.t > from + 1000 && sample.t <= to + 500);
  const max = (pick: (s: (typeof samples)[number]) => number) => samples.reduce((m, s) => Math.max(m, pick(s)), 0);
  const mean = samples.reduce((sum, s) => sum + s.cpu, 0) / Math.max(samples.length, 1);
  const peak = samples.reduce<(typeof samples)[number] | undefined>((best, s) => (best === undefined || s.rssMb > best.rssMb ? s : best), undefined);
  return { role: service.role, rssMaxMb: peak?.rssMb ?? 0, ...(peak?.heapTotalMb !== undefined ? { heapTotalAtPeakMb: peak.heapTotalMb } : {}), cpuMean: Math.round(mean * 100) / 100, loopP99Ms: max((s) => s.loopP99Ms), loopMaxMs: max((s) => s.loopMaxMs) };
}
