import { z } from "zod";
import { parserFor, strictParserFor } from "./parse.ts";

/** The kinds of signal stored in `interactions` (the database enum InteractionType). */
export const INTERACTION_TYPES = ["RATE", "REVIEW", "START_READING", "FINISH_READING", "SHELVE", "VIEW"] as const;

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO 8601 time");
const id = z.number().int().positive();

/** A user's interest in a book, as stored in `interactions`: what the durable stream carries. */
export const interactionEventSchema = z.object({
  userId: id,
  bookId: id,
  type: z.enum(INTERACTION_TYPES),
  /** The stars for RATE (and REVIEW with a rating); null otherwise. */
  value: z.number().nullable(),
  /** ISO 8601, so in-process and Redis readers see the same shape. */
  occurredAt: isoTime,
  /** The review written, for REVIEW (public activity on the book). */
  reviewId: id.nullish(),
});
export type InteractionEvent = z.infer<typeof interactionEventSchema>;

export const parseInteraction = parserFor(interactionEventSchema);
export const readInteraction = strictParserFor(interactionEventSchema, "interaction event");
