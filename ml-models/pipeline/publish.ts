import { Topics } from "../../lib/pubsub.ts";
import type { ModelChangedEvent, Publish } from "../registry/registry.ts";

/** Adapts the event bus to the registry's publish callback: promotions go out on MODEL_CHANGED. */
export function modelChangedPublisher(bus: { publish(topic: string, payload: unknown): Promise<void> }): Publish {
  return (event: ModelChangedEvent) => bus.publish(Topics.MODEL_CHANGED, { ...event, changedAt: new Date().toISOString() });
}
