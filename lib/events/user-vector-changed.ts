import { z } from "zod";
import { MODEL_NAMES } from "../models/model-names.ts";
import { parserFor } from "./parse.ts";

/**
 * Published on Topics.USER_VECTOR_CHANGED by the embeddings consumer after a
 * reader's signal: every recommendations instance serves `vector` for that reader
 * (when it serves the same model version) and drops the reader's cached lists.
 * `vector` is null when no factor model is in production: the lists are dropped all the same.
 */
export const userVectorChangedEventSchema = z.object({
  userId: z.number().int().positive(),
  model: z.object({ name: z.enum(MODEL_NAMES), version: z.number().int() }).nullable(),
  vector: z.array(z.number()).nullable(),
  /** The interaction that caused it (ISO 8601). */
  occurredAt: z.string(),
});
export type UserVectorChangedEvent = z.infer<typeof userVectorChangedEventSchema>;

export const parseUserVectorChanged = parserFor(userVectorChangedEventSchema);
