import type { Runtime } from "../../runtime.ts";

/** The consumers of the interaction stream; each is its own consumer group, runnable in its own process. */
export const STREAM_ROLES = ["trending", "preferences", "embeddings", "retrain"] as const;
export type StreamRole = (typeof STREAM_ROLES)[number];

export interface RunningRole {
  readonly role: StreamRole;
  /** Events this role handled and acknowledged. */
  readonly acknowledged: number;
  stop(): Promise<void>;
}

export interface RoleOptions {
  runtime: Runtime;
  /** This consumer's name in its group (unique per live process). */
  consumer: string;
}
