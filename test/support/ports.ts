import { createServer, type Server } from "node:net";

/** A port that was free a moment ago, for child processes that must be told their port up front. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/**
 * `count` distinct ports that were free a moment ago. They are held open together until
 * all are found: ports asked for one after another can come back twice (a closed port
 * is the kernel's to hand out again), and two services told the same port fail to start.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      server.unref();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            if (typeof address === "object" && address) resolve(address.port);
            else reject(new Error("no port"));
          });
        }),
      );
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
