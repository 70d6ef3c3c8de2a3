import type { MessagePort } from "node:worker_threads";
import type { Config, SubgraphName } from "../../lib/config.ts";
import type { MetricsSnapshot } from "../../lib/metrics/registry.ts";
import type { EventBus } from "../../lib/pubsub.ts";

/** What the gateway thread is given (workerData): plain values and the port its events come through. */
export interface GatewayThreadJob {
  readonly config: Config;
  readonly port: number;
  readonly supergraphPath: string;
  readonly subgraphUrls: Partial<Record<SubgraphName, string>>;
  readonly events: MessagePort;
  readonly busKind: EventBus["kind"];
  /** The port opens on a `listen` message (the subgraphs are still starting), not as soon as the gateway is built. */
  readonly holdListen: boolean;
}

/** What the process tells its gateway thread. */
export type ToGatewayThread = { type: "metrics"; id: number } | { type: "listen" } | { type: "stop" };

/** What the gateway thread tells the process. */
export type FromGatewayThread =
  | { type: "listening"; url: string; port: number }
  | { type: "log"; lines: string }
  | { type: "metrics"; id: number; snapshot: MetricsSnapshot }
  | { type: "stopped" }
  | { type: "failed"; message: string };
