import { z } from "zod";
import { parserFor } from "./parse.ts";

/**
 * Published on Topics.RECOMMENDATIONS_UPDATED once a recommendations instance has
 * applied a reader's new vector and dropped their cached lists: a fresh query now
 * answers the new list. Each instance publishes it; subscribers send only changed lists.
 */
export const recommendationsUpdatedEventSchema = z.object({
  userId: z.number().int().positive(),
  updatedAt: z.string(),
});
export type RecommendationsUpdatedEvent = z.infer<typeof recommendationsUpdatedEventSchema>;

export const parseRecommendationsUpdated = parserFor(recommendationsUpdatedEventSchema);
