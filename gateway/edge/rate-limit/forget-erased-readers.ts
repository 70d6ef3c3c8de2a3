import type { Logger } from "../../../lib/logger.ts";
import { type EventBus, Topics } from "../../../lib/pubsub.ts";
import { rateLimitKey } from "./identity.ts";
import type { RateLimiter } from "./limiter.ts";

/**
 * When a reader deletes their account (USER_ERASED, published by the users subgraph
 * after its commit), the limiter drops their counters. This runs in the gateway, off
 * the erasure's request path: the users subgraph neither knows the limiter's keys nor
 * waits on its Redis client. Returns the unsubscribe.
 */
export async function forgetErasedReaders(limiter: RateLimiter, pubsub: EventBus, logger: Logger): Promise<() => void> {
  const subscription = await pubsub.subscribe(
    Topics.USER_ERASED,
    (payload: { userId?: unknown }) => {
      const userId = Number(payload?.userId);
      if (!Number.isInteger(userId) || userId <= 0) return;
      limiter
        .forget(rateLimitKey({ kind: "user", id: String(userId) }))
        .catch((error: unknown) => logger.warn({ err: error, userId }, "rate-limit counters of an erased reader not dropped; they expire within two minutes"));
    },
    {},
  );
  return () => pubsub.unsubscribe(subscription);
}
