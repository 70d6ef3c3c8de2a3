import type { PubSubEngine } from "graphql-subscriptions";
import { FinalError } from "./subscription-context.ts";

/** Returned by `prepare` for an event this subscriber does not get. */
export const SKIP = Symbol("skip");

export interface BoundedEventsOptions<T> {
  pubsub: PubSubEngine;
  topic: string;
  /** Events waiting for the client (received, not yet sent) beyond which it counts as too slow. */
  limit: number;
  /** Turns a raw event into what is sent, in arrival order; SKIP leaves it out. */
  prepare(payload: unknown): Promise<T | typeof SKIP> | T | typeof SKIP;
  /** The queue overflowed: the caller disconnects the client. */
  onOverflow(queued: number): void;
}

/**
 * A subscription's events as an async iterator with a bounded queue: a client that
 * cannot keep up is reported (and disconnected by the caller) instead of growing
 * memory without limit, and returning the iterator unsubscribes from the bus.
 */
export function boundedEvents<T>(options: BoundedEventsOptions<T>): AsyncIterableIterator<T> {
  const queue: unknown[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let done = false;
  let pulling = false;
  let subscription: Promise<number> | undefined = options.pubsub.subscribe(options.topic, (payload: unknown) => {
    if (done) return;
    if (queue.length >= options.limit) {
      options.onOverflow(queue.length);
      void finish();
      return;
    }
    queue.push(payload);
    void pump();
  }, {});

  async function pump(): Promise<void> {
    if (!waiting || pulling) return;
    pulling = true;
    try {
      while (waiting && queue.length > 0 && !done) {
        const prepared = await options.prepare(queue.shift());
        if (prepared === SKIP || done) continue;
        const resolve = waiting;
        waiting = undefined;
        resolve({ value: prepared, done: false });
        // Delivered as the last event: the next pull ends the subscription.
        if (prepared instanceof FinalError) void finish();
      }
    } catch (error) {
      done = true;
      const resolve = waiting;
      waiting = undefined;
      resolve?.({ value: undefined, done: true });
      throw error;
    } finally {
      pulling = false;
    }
  }

  async function finish(): Promise<IteratorResult<T>> {
    done = true;
    queue.length = 0;
    const resolve = waiting;
    waiting = undefined;
    resolve?.({ value: undefined, done: true });
    const id = await subscription;
    subscription = undefined;
    if (id !== undefined) options.pubsub.unsubscribe(id);
    return { value: undefined, done: true };
  }

  return {
    next() {
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise<IteratorResult<T>>((resolve) => {
        waiting = resolve;
        void pump();
      });
    },
    return: finish,
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
