import { PubSubEngine } from "graphql-subscriptions";
import type { MessagePort } from "node:worker_threads";
import type { EventBus } from "./pubsub.ts";

/**
 * The event bus across a worker-thread boundary. The embedded process has one bus (in
 * memory, or Redis when configured) owned by its main thread; a thread that serves part
 * of the process (the gateway) subscribes and publishes through the owner, so it hears
 * exactly what the process's bus carries and nothing crosses the boundary that no one
 * there listens to.
 */
type Request =
  | { readonly op: "subscribe"; readonly id: number; readonly topic: string }
  | { readonly op: "unsubscribe"; readonly topic: string }
  | { readonly op: "publish"; readonly id: number; readonly topic: string; readonly payload: unknown };
type Reply =
  | { readonly op: "event"; readonly topic: string; readonly payload: unknown }
  | { readonly op: "done"; readonly id: number; readonly error?: string };

export interface ServedEventBus {
  /** Drops the owner's subscriptions made for the other side and stops answering. */
  release(): Promise<void>;
}

/** The owning side: subscribes on `bus` for each topic the other side listens to and forwards its events. */
export function serveEventBusOverPort(port: MessagePort, bus: EventBus): ServedEventBus {
  const subscriptions = new Map<string, Promise<number>>();
  const reply = (message: Reply) => port.postMessage(message);
  port.on("message", (request: Request) => {
    if (request.op === "subscribe") {
      let subscription = subscriptions.get(request.topic);
      if (!subscription) {
        subscription = bus.subscribe(request.topic, (payload: unknown) => reply({ op: "event", topic: request.topic, payload }), {});
        subscriptions.set(request.topic, subscription);
        // A refused subscription is told to the subscriber and forgotten here, so a later one tries again.
        subscription.catch(() => subscriptions.delete(request.topic));
      }
      subscription.then(
        () => reply({ op: "done", id: request.id }),
        (error: unknown) => reply({ op: "done", id: request.id, error: (error as Error).message }),
      );
    } else if (request.op === "unsubscribe") {
      const subscription = subscriptions.get(request.topic);
      subscriptions.delete(request.topic);
      void subscription?.then((id) => bus.unsubscribe(id), () => {});
    } else {
      bus.publish(request.topic, request.payload).then(
        () => reply({ op: "done", id: request.id }),
        (error: unknown) => reply({ op: "done", id: request.id, error: (error as Error).message }),
      );
    }
  });
  return {
    async release() {
      port.close();
      const pending = [...subscriptions.values()];
      subscriptions.clear();
      for (const id of await Promise.allSettled(pending)) if (id.status === "fulfilled") bus.unsubscribe(id.value);
    },
  };
}

/**
 * The other side: an EventBus whose subscriptions and publishes go to the owner. A
 * topic is subscribed there once, however many listen to it here; `subscribe` resolves
 * once the owner's subscription is in place, as with Redis, so no event published after
 * it is missed.
 */
export function eventBusOverPort(port: MessagePort, kind: EventBus["kind"]): EventBus {
  return new PortEventBus(port, kind);
}

class PortEventBus extends PubSubEngine implements EventBus {
  private readonly listeners = new Map<string, Map<number, (payload: unknown) => void>>();
  private readonly topicOf = new Map<number, string>();
  /** Per topic, the owner's subscription being made or made. */
  private readonly subscribed = new Map<string, Promise<void>>();
  private readonly pending = new Map<number, { resolve(): void; reject(error: Error): void }>();
  private nextId = 1;

  constructor(
    private readonly port: MessagePort,
    readonly kind: EventBus["kind"],
  ) {
    super();
    port.on("message", (reply: Reply) => {
      if (reply.op === "event") {
        for (const listener of this.listeners.get(reply.topic)?.values() ?? []) listener(reply.payload);
        return;
      }
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error === undefined) waiting?.resolve();
      else waiting?.reject(new Error(reply.error));
    });
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    const id = this.nextId++;
    await this.ask(id, { op: "publish", id, topic, payload });
  }

  async subscribe(topic: string, onMessage: (payload: unknown) => void): Promise<number> {
    const id = this.nextId++;
    let listeners = this.listeners.get(topic);
    const first = !listeners;
    if (!listeners) this.listeners.set(topic, (listeners = new Map()));
    listeners.set(id, onMessage);
    this.topicOf.set(id, topic);
    // Later subscribers of a topic wait for the first one's subscription too: it is theirs as well.
    const ready = first ? this.ask(id, { op: "subscribe", id, topic }) : this.subscribed.get(topic);
    if (first) this.subscribed.set(topic, ready!);
    try {
      await ready;
    } catch (error) {
      this.unsubscribe(id);
      throw error;
    }
    return id;
  }

  unsubscribe(id: number): void {
    const topic = this.topicOf.get(id);
    if (topic === undefined) return;
    this.topicOf.delete(id);
    const listeners = this.listeners.get(topic)!;
    listeners.delete(id);
    if (listeners.size > 0) return;
    this.listeners.delete(topic);
    this.subscribed.delete(topic);
    this.port.postMessage({ op: "unsubscribe", topic } satisfies Request);
  }

  async close(): Promise<void> {
    for (const waiting of this.pending.values()) waiting.reject(new Error("the event bus is closed"));
    this.pending.clear();
    this.port.close();
  }

  private ask(id: number, request: Request): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.postMessage(request);
    });
  }
}
