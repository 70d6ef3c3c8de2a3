import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { MISSED_PINGS_ALLOWED } from "../gateway/subscriptions/keep-alive.ts";
import { databaseTargets } from "./support/databases.ts";
import { connectSubscriptions, type SubscriptionClient } from "./support/subscription-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const INTERVAL_MS = 150;

/**
 * Keep-alive through the gateway: a client that stops answering pings (a dropped
 * network that never sent a close) is terminated after missing two of them; a
 * client that answers stays connected however long it is idle.
 */
describe("subscription keep-alive through the gateway", () => {
  let running: TestSupergraph | undefined;
  let wsUrl: string;
  const clients: SubscriptionClient[] = [];

  before(async () => {
    running = await startTestSupergraph(databaseTargets()[0]!, { books: 40, users: 20, seed: 3 }, { SUBSCRIPTION_KEEPALIVE_MS: String(INTERVAL_MS) });
    wsUrl = running.gatewayUrl.replace(/^http/, "ws");
  });
  after(async () => {
    await Promise.allSettled(clients.map((client) => client.dispose()));
    await running?.stop();
  });

  it("terminates a socket that missed two pings, and keeps one that answers", async () => {
    const answering = connectSubscriptions(wsUrl);
    clients.push(answering);
    const subscription = answering.subscribe(`subscription { trendingChanged(window: HOUR, limit: 5) { window } }`);

    // A client whose pongs never arrive: ws answers pings by itself unless told not to.
    const silent = new WebSocket(wsUrl, "graphql-transport-ws", { autoPong: false });
    const pings: number[] = [];
    silent.on("ping", () => pings.push(Date.now()));
    await new Promise<void>((resolve, reject) => {
      silent.once("open", () => resolve());
      silent.once("error", reject);
    });
    silent.send(JSON.stringify({ type: "connection_init", payload: {} }));
    const openedAt = Date.now();
    const closed = await new Promise<{ code: number; at: number }>((resolve) => silent.once("close", (code) => resolve({ code, at: Date.now() })));

    assert.equal(pings.length, MISSED_PINGS_ALLOWED, "terminated at the interval after its second unanswered ping, not before");
    assert.equal(closed.code, 1006, "terminated, not closed politely: the peer is presumed gone");
    assert.ok(closed.at - openedAt >= MISSED_PINGS_ALLOWED * INTERVAL_MS, `closed after ${closed.at - openedAt} ms`);
    assert.ok(closed.at - openedAt < (MISSED_PINGS_ALLOWED + 3) * INTERVAL_MS * 4, `closed after ${closed.at - openedAt} ms`);

    await sleep(INTERVAL_MS * 8);
    assert.deepEqual(answering.closeCodes, [], "the answering client was never closed");
    assert.equal(subscription.error, undefined);
    assert.equal(subscription.completed, false, "its subscription is still open");
  });
});
