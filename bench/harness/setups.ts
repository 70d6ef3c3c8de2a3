import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { heapNodeFlags, type HeapLimitedService } from "../../lib/server/heap-limits.ts";
import { serviceProcessEnv } from "../../lib/server/process-env.ts";
import { freePorts } from "../../test/support/ports.ts";
import type { PreparedData } from "./data.ts";
import { redisNamespace, type RedisNamespace } from "../../test/support/redis-namespace.ts";
import { startService, type Service } from "./services.ts";

/** What every setup of one bench run shares: where it writes, the servers' settings, Redis, and whether processes run under --cpu-prof. */
export interface SetupContext {
  root: string;
  runDir: string;
  serverEnv: Record<string, string>;
  redisUrl: string;
  profile: boolean;
}

/** The ways `npm run bench` starts a code's servers: one process per service, the stock gateway over them, or the embedded `npm start`. */
export function setupStarters({ root, runDir, serverEnv, redisUrl, profile }: SetupContext) {
  /** Gateway + four subgraphs, one process each, over `data`'s database and a Redis namespace of their own. */
  async function startMulti(name: string, codeDir: string, ext: "js" | "ts", data: PreparedData, extraEnv: Record<string, string> = {}) {
    const [gatewayPort, usersPort, booksPort, recommendationsPort, experimentsPort] = await freePorts(5);
    const namespace = redisNamespace(redisUrl, "bench", name);
    const base = { ...serverEnv, ...data.env, REDIS_URL: redisUrl, ...namespace.env, ...extraEnv };
    const entryDir = ext === "js" ? "dist/" : "";
    const subgraphs: [string, number, string][] = [
      ["users", usersPort!, "USERS_PORT"],
      ["books", booksPort!, "BOOKS_PORT"],
      ["recommendations", recommendationsPort!, "RECOMMENDATIONS_PORT"],
      ["experiments", experimentsPort!, "EXPERIMENTS_PORT"],
    ];
    const dir = join(runDir, name);
    mkdirSync(dir, { recursive: true });
    const nodeArgs = (role: string) => (profile ? ["--cpu-prof", `--cpu-prof-dir=${join(dir, "profiles", role)}`] : []);
    // Ours runs with the process settings it is deployed with (heap limits, malloc settings); the reference commit as it was.
    const deployedEnv = (role: HeapLimitedService) => {
      if (codeDir !== root) return {};
      const deployed = serviceProcessEnv(role);
      return { ...deployed, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} ${deployed.NODE_OPTIONS}`.trim() };
    };
    const services: Service[] = [];
    try {
      for (const [subgraph, port, variable] of subgraphs) {
        services.push(await startService({ role: subgraph, script: `${entryDir}subgraphs/${subgraph}/main.${ext}`, cwd: codeDir, env: { ...base, ...deployedEnv(subgraph as HeapLimitedService), [variable]: String(port) }, port, nodeArgs: nodeArgs(subgraph) }, dir));
      }
      const urls = Object.fromEntries(subgraphs.map(([subgraph, port]) => [`${subgraph.toUpperCase()}_URL`, `http://127.0.0.1:${port}/graphql`]));
      services.unshift(await startService({ role: "gateway", script: `${entryDir}gateway/main.${ext}`, cwd: codeDir, env: { ...base, ...deployedEnv("gateway"), ...urls, GATEWAY_PORT: String(gatewayPort) }, port: gatewayPort!, nodeArgs: nodeArgs("gateway") }, dir));
    } catch (error) {
      await stopAll(services, namespace);
      throw error;
    }
    return { services, namespace, urls: Object.fromEntries(subgraphs.map(([subgraph, port]) => [subgraph, `http://127.0.0.1:${port}/graphql`])), gateway: `http://127.0.0.1:${gatewayPort}/graphql` };
  }

  /** `harness/stock-gateway.ts` over the given subgraphs, with the same production settings as ours. */
  async function startStockGateway(subgraphUrls: Record<string, string>): Promise<Service> {
    const [port] = await freePorts(1);
    return startService(
      {
        role: "stock-gateway",
        script: "bench/harness/stock-gateway.ts",
        cwd: root,
        env: { ...serverEnv, PORT: String(port), ...Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [`${name.toUpperCase()}_URL`, url])) },
        port: port!,
        readyPath: "/",
        anyAnswer: true,
      },
      join(runDir, "ours-multi"),
    );
  }

  async function startEmbedded(name: string, codeDir: string, script: string, data: PreparedData): Promise<{ services: Service[]; gateway: string }> {
    const [gatewayPort, ...others] = await freePorts(5);
    const dir = join(runDir, name);
    mkdirSync(dir, { recursive: true });
    const env = {
      ...serverEnv,
      ...data.env,
      GATEWAY_PORT: String(gatewayPort),
      USERS_PORT: String(others[0]),
      BOOKS_PORT: String(others[1]),
      RECOMMENDATIONS_PORT: String(others[2]),
      EXPERIMENTS_PORT: String(others[3]),
    };
    // Ours with the heap limit `npm start` passes (lib/server/heap-limits.ts); the reference commit as it was.
    const heapLimit = codeDir === root ? heapNodeFlags("embedded") : [];
    const nodeArgs = [...heapLimit, ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${join(dir, "profiles", "embedded")}`] : [])];
    const service = await startService({ role: "embedded", script, cwd: codeDir, env, port: gatewayPort!, readyTimeoutMs: 300_000, nodeArgs }, dir);
    return { services: [service], gateway: `http://127.0.0.1:${gatewayPort}/graphql` };
  }

  return { startMulti, startStockGateway, startEmbedded };
}

/** Stops the services, then removes what they kept in Redis under `namespace`. */
export async function stopAll(services: Service[], namespace?: RedisNamespace): Promise<void> {
  await Promise.all(services.map((service) => service.stop()));
  await namespace?.drop();
}

export async function reachable(url: string): Promise<boolean> {
  const { host, port } = new URL(url);
  const net = await import("node:net");
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/:\d+$/, ""), port: Number(port) }, () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
