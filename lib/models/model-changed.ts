import type { EventBus } from "../pubsub.ts";
import { Topics } from "../pubsub.ts";
import { isModelName, type ModelName } from "./model-names.ts";

/** Published on Topics.MODEL_CHANGED when a version is promoted or rolled back. */
export interface ModelChangedEvent {
  readonly name: ModelName;
  readonly version: number;
}

export async function publishModelChanged(pubsub: EventBus, event: ModelChangedEvent): Promise<void> {
  await pubsub.publish(Topics.MODEL_CHANGED, event);
}

export function parseModelChanged(payload: unknown): ModelChangedEvent | null {
  if (typeof payload !== "object" || payload === null) return null;
  const { name, version } = payload as Record<string, unknown>;
  if (typeof name !== "string" || !isModelName(name) || typeof version !== "number" || !Number.isInteger(version)) return null;
  return { name, version };
}
