import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";

/** A port that was free a moment ago, for child processes that must be told their port up front. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** Ports handed out lie from here up to the kernel's ephemeral range. */
const LOWEST_PORT = 20_000;

/**
 * Where the kernel's ephemeral ports begin (Linux: ip_local_port_range; 32768 elsewhere, below
 * macOS's 49152). A port found free by listening on port 0 lies in that range, where every
 * outgoing connection also takes its local port: a service started earlier, connecting to
 * PostgreSQL or Redis, could take it before the child told to listen there did (EADDRINUSE).
 */
function ephemeralRangeStart(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    if (Number.isInteger(low)) return low;
  } catch {
    // not Linux
  }
  return 32_768;
}

const listenOn = (server: Server, port: number) =>
  new Promise<number | null>((resolve) => {
    server.once("error", () => resolve(null));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : null);
    });
  });

/**
 * `count` distinct ports that were free a moment ago, below the ephemeral range (above).
 * They are held open together until all are found: a closed port is free to be handed
 * out again, and two services told the same port fail to start.
 */
export async function freePorts(count: number): Promise<number[]> {
  const top = ephemeralRangeStart();
  // Without room below the ephemeral range, what the kernel picks (listen on 0).
  const pick = () => (top - LOWEST_PORT >= 1_000 ? LOWEST_PORT + Math.floor(Math.random() * (top - LOWEST_PORT)) : 0);
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let attempts = 0; ports.length < count; attempts += 1) {
      if (attempts >= count * 50) throw new Error(`no ${count} free ports found in ${attempts} attempts`);
      const server = createServer();
      server.unref();
      const port = await listenOn(server, pick());
      if (port === null) continue;
      servers.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))));
  }
}

const EMBEDDED_PORTS = ["GATEWAY_PORT", "USERS_PORT", "BOOKS_PORT", "RECOMMENDATIONS_PORT", "EXPERIMENTS_PORT"] as const;

/** GATEWAY_PORT and each subgraph's port for one `npm start`, and any `extra` port variables (METRICS_PORT), all distinct. */
export async function embeddedPortEnv<Extra extends string = never>(
  ...extra: Extra[]
): Promise<Record<(typeof EMBEDDED_PORTS)[number] | Extra, string>> {
  const names = [...EMBEDDED_PORTS, ...extra];
  const ports = await freePorts(names.length);
  return Object.fromEntries(names.map((name, n) => [name, String(ports[n])])) as Record<(typeof EMBEDDED_PORTS)[number] | Extra, string>;
}
