// The subscribers of bench/subscriptions.ts, in a worker thread so that their memory
// (a separate V8 heap) is not counted as the server's. Plain JavaScript: a worker
// thread does not inherit the main thread's TypeScript loader. Each subscriber is its
// own WebSocket connection; latency is receipt time minus the event's `changedAt`.
import { parentPort, workerData } from "node:worker_threads";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const { url, count, query, authorizations } = workerData;
const clients = [];
const latencies = [];
const seenBooks = new Map();
let received = 0;
let errors = 0;
/** The first few distinct error messages, so a report says what went wrong. */
const errorSamples = new Set();
const sample = (message) => errorSamples.size < 5 && errorSamples.add(String(message).slice(0, 200));

for (let index = 0; index < count; index += 1) {
  const authorization = authorizations[index % authorizations.length];
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
    lazy: false,
  });
  clients.push(client);
  client.subscribe(
    { query },
    {
      next(result) {
        const now = Date.now();
        received += 1;
        if (result.errors || !result.data) {
          errors += 1;
          for (const error of result.errors ?? []) sample(`${error.extensions?.code ?? ""} ${error.message}`);
          return;
        }
        latencies.push(now - Date.parse(result.data.trendingChanged.changedAt));
        for (const entry of result.data.trendingChanged.books) seenBooks.set(entry.book.id, (seenBooks.get(entry.book.id) ?? 0) + 1);
      },
      error(error) {
        errors += 1;
        sample(Array.isArray(error) ? error.map((e) => e.message).join("; ") : (error?.reason ?? error?.message ?? `closed ${error?.code}`));
      },
      complete() {},
    },
  );
}

parentPort.on("message", async (message) => {
  if (message.type === "count") {
    parentPort.postMessage({ type: "count", bookId: message.bookId, subscribers: seenBooks.get(message.bookId) ?? 0 });
  } else if (message.type === "report") {
    parentPort.postMessage({ type: "report", latencies, received, errors, errorSamples: [...errorSamples] });
  } else if (message.type === "close") {
    await Promise.allSettled(clients.map((client) => client.dispose()));
    parentPort.postMessage({ type: "closed" });
  }
});
parentPort.postMessage({ type: "opened" });
