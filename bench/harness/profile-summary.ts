/**
 * Summarises V8 CPU profiles (`node --cpu-prof`): self time by package / area and
 * the hottest functions, so bench/README.md can say where a request's time goes per
 * process. `npx tsx bench/harness/profile-summary.ts DIR...` prints one section per
 * profile.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: a package, a project folder, node's internals, or V8 bookkeeping. */
export function areaOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1]!;
  // node:internal/deps/undici/undici -> undici (fetch), node:internal/crypto/util -> crypto, ...
  if (url.startsWith("node:internal/deps/")) return url.slice("node:internal/deps/".length).split("/")[0]!;
  if (url.startsWith("node:internal/")) return `node:${url.slice("node:internal/".length).split("/")[0]!.replace(/\.js$/, "")}`;
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  const project = /\/(dist\/)?(gateway|lib\/[^/]+|subgraphs\/[^/]+|bench|ml-models)\//.exec(url);
  return project ? project[2]! : url.split("/").slice(-2).join("/");
}

/**
 * A stretch of a profile in its own clock: V8 stamps samples in microseconds of the
 * monotonic clock, which `process.hrtime` reads too, so a bench can name its load window.
 */
export interface ProfileWindow {
  fromMicros: number;
  toMicros: number;
}

/** Now in the clock of V8's CPU profiles (any process on this host). */
export const profileClockMicros = () => Number(process.hrtime.bigint() / 1000n);

export function summarise(profile: CpuProfile, top = 15, window?: ProfileWindow) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.fromMicros || at > window.toMicros)) return;
    selfMs.set(id, (selfMs.get(id) ?? 0) + delta / 1000);
  });
  const totalMs = [...selfMs.values()].reduce((sum, ms) => sum + ms, 0);
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const node = byId.get(id)!;
    areas.set(areaOf(node), (areas.get(areaOf(node)) ?? 0) + ms);
    const name = `${node.callFrame.functionName || "(anonymous)"} ${node.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(dist\/)?/, "")}:${node.callFrame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const share = (ms: number) => Math.round((1000 * ms) / Math.max(totalMs, 1)) / 10;
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({ name, ms: Math.round(ms), percent: share(ms) }));
  const wallMicros = window ? Math.min(window.toMicros, profile.endTime) - Math.max(window.fromMicros, profile.startTime) : profile.endTime - profile.startTime;
  return { totalMs: Math.round(totalMs), wallMs: Math.round(wallMicros / 1000), areas: sorted(areas), functions: sorted(functions) };
}

/**
 * Markdown: per profile (folders laid out <setup>/profiles/<role>/*.cpuprofile), self time by area and hottest
 * functions, counted within the setup's load window when one is given (a process's whole life otherwise, its start
 * and the caches' priming included).
 */
export function profileMarkdown(title: string, header: string[], profileDirs: string[], windows: ReadonlyMap<string, ProfileWindow> = new Map()): string {
  const sections = [`# CPU profiles: ${title}`, "", ...header.flatMap((line) => [line, ""])];
  for (const profiles of profileDirs) {
    const setup = basename(dirname(profiles));
    for (const role of existsSync(profiles) ? readdirSync(profiles) : []) {
      for (const file of readdirSync(join(profiles, role)).filter((name) => name.endsWith(".cpuprofile"))) {
        const window = windows.get(setup);
        const summary = summarise(JSON.parse(readFileSync(join(profiles, role, file), "utf8")) as CpuProfile, 25, window);
        const span = window ? "the load window's" : "the process's whole";
        sections.push(`## ${setup} / ${role}: ${summary.totalMs} ms sampled over ${span} ${summary.wallMs} ms`, "", "| area | self % |", "| --- | ---: |");
        for (const area of summary.areas) sections.push(`| ${area.name} | ${area.percent} |`);
        sections.push("", "| hottest functions (self) | % |", "| --- | ---: |");
        for (const fn of summary.functions) sections.push(`| \`${fn.name}\` | ${fn.percent} |`);
        sections.push("");
      }
    }
  }
  return `${sections.join("\n")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const dir of process.argv.slice(2)) {
    for (const file of readdirSync(dir).filter((name) => name.endsWith(".cpuprofile"))) {
      const summary = summarise(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile);
      process.stdout.write(`\n## ${dir}/${file}: ${summary.totalMs} ms sampled over ${summary.wallMs} ms\n\nBy area:\n`);
      for (const area of summary.areas) process.stdout.write(`  ${String(area.percent).padStart(5)}%  ${area.name}\n`);
      process.stdout.write("Hottest functions (self time):\n");
      for (const fn of summary.functions) process.stdout.write(`  ${String(fn.percent).padStart(5)}%  ${fn.name}\n`);
    }
  }
}
