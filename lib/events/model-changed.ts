import { z } from "zod";
import type { EventBus } from "../pubsub.ts";
import { MODEL_NAMES } from "../models/model-names.ts";
import { parserFor } from "./parse.ts";
import { Topics } from "./topics.ts";

/** Published on Topics.MODEL_CHANGED when a version is promoted or rolled back. */
export const modelChangedEventSchema = z.object({
  name: z.enum(MODEL_NAMES),
  version: z.number().int(),
});
export type ModelChangedEvent = z.infer<typeof modelChangedEventSchema>;

export async function publishModelChanged(pubsub: EventBus, event: ModelChangedEvent): Promise<void> {
  await pubsub.publish(Topics.MODEL_CHANGED, event);
}

export const parseModelChanged = parserFor(modelChangedEventSchema);
