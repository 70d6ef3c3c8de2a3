import { parentPort, workerData } from "node:worker_threads";
import { connectSubscriptions, type SubscriptionClient } from "../test/support/subscription-client.ts";

/**
 * The subscribers of bench/subscriptions.ts, in a worker thread so that their memory
 * (a separate V8 heap) is not counted as the server's. Each is its own WebSocket
 * connection; latency is receipt time minus the event's `changedAt`.
 */
interface Setup {
  url: string;
  count: number;
  query: string;
  authorizations: (string | undefined)[];
}

const setup = workerData as Setup;
const clients: SubscriptionClient[] = [];
const latencies: number[] = [];
let received = 0;
let errors = 0;
const seenBooks = new Map<string, number>();

for (let index = 0; index < setup.count; index += 1) {
  const client = connectSubscriptions(setup.url, setup.authorizations[index % setup.authorizations.length]);
  clients.push(client);
  const subscription = client.subscribe<{ trendingChanged: { changedAt: string; books: { book: { id: string; title: string } }[] } }>(setup.query);
  // Counted as each push arrives (the recorder would also keep them: keep only what the report needs).
  subscription.results.push = (...items) => {
    const now = Date.now();
    for (const item of items) {
      received += 1;
      if (item.errors || !item.data) {
        errors += 1;
        continue;
      }
      latencies.push(now - Date.parse(item.data.trendingChanged.changedAt));
      for (const entry of item.data.trendingChanged.books) seenBooks.set(entry.book.id, (seenBooks.get(entry.book.id) ?? 0) + 1);
    }
    return 0;
  };
}

parentPort!.on("message", async (message: { type: string; bookId?: string }) => {
  if (message.type === "count") {
    parentPort!.postMessage({ type: "count", bookId: message.bookId, subscribers: seenBooks.get(message.bookId!) ?? 0 });
  } else if (message.type === "report") {
    parentPort!.postMessage({ type: "report", latencies, received, errors });
  } else if (message.type === "close") {
    await Promise.allSettled(clients.map((client) => client.dispose()));
    parentPort!.postMessage({ type: "closed" });
  }
});
parentPort!.postMessage({ type: "opened" });
