import { z } from "zod";
import { parserFor } from "./parse.ts";

/** Published on Topics.RETRAIN_REQUESTED by the retrain consumer: enough new signals for the trainer to run. */
export const retrainRequestedEventSchema = z.object({
  newSignals: z.number().int().nonnegative(),
  requestedAt: z.string(),
});
export type RetrainRequestedEvent = z.infer<typeof retrainRequestedEventSchema>;

export const parseRetrainRequested = parserFor(retrainRequestedEventSchema);
