import type { WebSocket, WebSocketServer } from "ws";

/**
 * Pings every socket each interval and terminates those that did not answer the
 * previous ping: a client gone without a close (a dropped network) is freed within
 * two intervals, and proxies see traffic on idle connections.
 */
export function keepAlive(server: WebSocketServer, intervalMs: number): { stop(): void } {
  const alive = new WeakMap<WebSocket, boolean>();
  server.on("connection", (socket) => {
    alive.set(socket, true);
    socket.on("pong", () => alive.set(socket, true));
  });
  const timer = setInterval(() => {
    for (const socket of server.clients) {
      if (alive.get(socket) === false) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
