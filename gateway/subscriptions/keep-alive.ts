import type { WebSocket, WebSocketServer } from "ws";

/** Pings a socket may leave unanswered in a row; at the next interval it is terminated. */
export const MISSED_PINGS_ALLOWED = 2;

/**
 * Pings every socket each interval and terminates one that left the last
 * MISSED_PINGS_ALLOWED pings unanswered: a client gone without a close (a dropped
 * network) is freed within three intervals, one slow pong on a busy link is
 * forgiven, and proxies see traffic on idle connections.
 */
export function keepAlive(server: WebSocketServer, intervalMs: number): { stop(): void } {
  const missed = new WeakMap<WebSocket, number>();
  server.on("connection", (socket) => {
    missed.set(socket, 0);
    socket.on("pong", () => missed.set(socket, 0));
  });
  const timer = setInterval(() => {
    for (const socket of server.clients) {
      const unanswered = missed.get(socket) ?? 0;
      if (unanswered >= MISSED_PINGS_ALLOWED) {
        socket.terminate();
        continue;
      }
      missed.set(socket, unanswered + 1);
      socket.ping();
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
