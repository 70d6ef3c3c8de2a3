import { Topics } from "../../lib/pubsub.ts";
import type { Runtime } from "../../lib/runtime.ts";
import type { InteractionEvent } from "../../subgraphs/users/interactions.ts";

/**
 * Listens on the interaction topic of the runtime's bus (in-process or Redis) while
 * `work` runs, and returns the events that arrived, waiting up to `timeoutMs` for at
 * least `expected` of them (Redis delivers asynchronously).
 */
export async function captureInteractions(
  runtime: Runtime,
  expected: number,
  work: () => Promise<unknown>,
  timeoutMs = 3000,
): Promise<InteractionEvent[]> {
  const received: InteractionEvent[] = [];
  const subscription = await runtime.pubsub.subscribe(Topics.INTERACTION, (event: InteractionEvent) => {
    received.push(event);
  }, {});
  try {
    await work();
    const deadline = Date.now() + timeoutMs;
    while (received.length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    // A short grace period, so a test expecting N events also notices an unexpected N+1st.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return received;
  } finally {
    runtime.pubsub.unsubscribe(subscription);
  }
}
