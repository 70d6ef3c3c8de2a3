import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from "graphql";
import type { SubscriptionContext } from "./subscription-context.ts";

/** The raw bus event a prepared event was built from (see `fromSourceEvent`). */
const SOURCE_EVENT = Symbol("source event");

/**
 * Marks a prepared event as a function of its raw event and of the subscription's
 * document and variables alone (after the subscriber's own checks passed): any
 * subscriber with the same document, variables and credentials then gets the same
 * answer, so it is computed once per raw event and shared.
 */
export function fromSourceEvent<T extends object>(raw: object, prepared: T): T {
  Object.defineProperty(prepared, SOURCE_EVENT, { value: raw, configurable: true });
  return prepared;
}

/**
 * Answers by raw event, then by sharing key: dropped with the event once every
 * subscriber's iterator has let go of it (a WeakMap, so nothing to clean up).
 */
const executions = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

/**
 * graphql-js's `subscribe`, except that an event's execution (resolving every
 * selected field, the planned queries under them) is shared by the subscribers of
 * one raw event that have the same sharing key (document, variables, credentials:
 * SubscriptionContext.sharingKey). A topic with a thousand anonymous subscribers
 * runs each event once, not a thousand times. Filtering and per-event permission
 * checks stay per subscriber: they happen in the field's `prepare`, before this.
 */
export async function subscribeSharingExecutions(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
  const events = stream as AsyncIterableIterator<unknown>;
  const sharingKey = (args.contextValue as SubscriptionContext).sharingKey;
  const executeEvent = (event: unknown): Promise<ExecutionResult> | ExecutionResult => {
    const raw = event !== null && typeof event === "object" ? (event as Record<symbol, object | undefined>)[SOURCE_EVENT] : undefined;
    if (!raw) return execute({ ...args, rootValue: event });
    let byKey = executions.get(raw);
    if (!byKey) executions.set(raw, (byKey = new Map()));
    let result = byKey.get(sharingKey);
    if (!result) {
      result = Promise.resolve(execute({ ...args, rootValue: event }));
      byKey.set(sharingKey, result);
    }
    return result;
  };
  // A plain iterator rather than an async generator: `return()` (the client unsubscribing)
  // must reach the source at once, not wait for the event an idle generator is awaiting.
  const results: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const next = await events.next();
      return next.done ? next : { value: await executeEvent(next.value), done: false };
    },
    async return() {
      await events.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await events.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return results;
    },
  };
  return results;
}
