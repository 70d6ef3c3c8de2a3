import { createClient, type Client, type FormattedExecutionResult } from "graphql-ws";
import WebSocket from "ws";

/** What one subscription has received so far, and a way to wait for more. */
export interface RecordedSubscription<Data> {
  readonly results: FormattedExecutionResult<Data>[];
  /** Set when the server sent an error message or the socket closed under it. */
  error: unknown;
  completed: boolean;
  /** Resolves with the first result matching `predicate` (already received or yet to come); rejects after `timeoutMs`. */
  waitFor(predicate: (result: FormattedExecutionResult<Data>) => boolean, timeoutMs: number): Promise<FormattedExecutionResult<Data>>;
  /** Resolves once the subscription has completed or errored. */
  ended(timeoutMs: number): Promise<void>;
  unsubscribe(): void;
}

export interface SubscriptionClient {
  readonly client: Client;
  /** Close codes of every socket this client saw close, in order. */
  readonly closeCodes: number[];
  subscribe<Data = Record<string, any>>(query: string, variables?: Record<string, unknown>, extensions?: Record<string, unknown>): RecordedSubscription<Data>;
  dispose(): Promise<void>;
}

/**
 * A graphql-ws client as an app would open one, over `ws`, sending `authorization`
 * ("Bearer <jwt>") in its connection params; it never retries (a test wants to see each close).
 */
export function connectSubscriptions(url: string, authorization?: string): SubscriptionClient {
  const closeCodes: number[] = [];
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: authorization === undefined ? {} : { authorization },
    retryAttempts: 0,
    on: { closed: (event) => closeCodes.push((event as { code: number }).code) },
  });
  return {
    client,
    closeCodes,
    subscribe<Data>(query: string, variables?: Record<string, unknown>, extensions?: Record<string, unknown>) {
      const listeners = new Set<() => void>();
      const notify = () => {
        for (const listener of listeners) listener();
      };
      const recorded: RecordedSubscription<Data> = {
        results: [],
        error: undefined,
        completed: false,
        waitFor(predicate, timeoutMs) {
          return until(listeners, () => recorded.results.find(predicate), timeoutMs, "a matching subscription result");
        },
        async ended(timeoutMs) {
          await until(listeners, () => (recorded.completed || recorded.error !== undefined ? true : undefined), timeoutMs, "the subscription to end");
        },
        unsubscribe: () => {},
      };
      recorded.unsubscribe = client.subscribe<Data, Record<string, unknown>>(
        { query, variables, ...(extensions ? { extensions } : {}) },
        {
          next: (result) => {
            recorded.results.push(result);
            notify();
          },
          error: (error) => {
            recorded.error = error;
            notify();
          },
          complete: () => {
            recorded.completed = true;
            notify();
          },
        },
      );
      return recorded;
    },
    dispose: async () => {
      await client.dispose();
    },
  };
}

function until<T>(listeners: Set<() => void>, check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const listener = () => {
      const found = check();
      if (found === undefined) return;
      clearTimeout(timer);
      listeners.delete(listener);
      resolve(found);
    };
    listeners.add(listener);
    listener();
    if (!listeners.has(listener)) return;
    timer = setTimeout(() => {
      listeners.delete(listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
  });
}
