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

/** GATEWAY_PORT and each subgraph's port for one `npm start`, all distinct. */
export async function embeddedPortEnv(): Promise<Record<"GATEWAY_PORT" | "USERS_PORT" | "BOOKS_PORT" | "RECOMMENDATIONS_PORT" | "EXPERIMENTS_PORT", string>> {
  const [gateway, users, books, recommendations, experiments] = (await freePorts(5)).map(String);
  return { GATEWAY_PORT: gateway!, USERS_PORT: users!, BOOKS_PORT: books!, RECOMMENDATIONS_PORT: recommendations!, EXPERIMENTS_PORT: experiments! };
}
