import { z } from "zod";
import type { EventBus } from "../pubsub.ts";
import { parserFor } from "./parse.ts";
import { Topics } from "./topics.ts";

/** The windows trending lists are computed over. */
export const TRENDING_WINDOW_NAMES = ["HOUR", "DAY", "WEEK"] as const;
export type TrendingWindow = (typeof TRENDING_WINDOW_NAMES)[number];

/** Length of the ranked list each event carries; a subscriber's limit is a prefix of it. */
export const TRENDING_LIST_LENGTH = 50;

const count = z.number().int().nonnegative();

export const trendingEntrySchema = z.object({
  bookId: z.number().int().positive(),
  /** Exponentially decayed interaction count (time constant: the window's length): the ranking key. */
  score: z.number().nonnegative(),
  /** Distinct readers who interacted with the book within the window. */
  readers: count,
  /** All interactions within the window. */
  interactions: count,
});
export type TrendingEntry = z.infer<typeof trendingEntrySchema>;

/**
 * Published on Topics.TRENDING_CHANGED when the ranked list of a window changed
 * (books entered, left or swapped places), not when only counts moved.
 */
export const trendingChangedEventSchema = z.object({
  window: z.enum(TRENDING_WINDOW_NAMES),
  /** Best first, at most TRENDING_LIST_LENGTH entries. */
  books: z.array(trendingEntrySchema).max(TRENDING_LIST_LENGTH),
  /** ISO 8601, so in-process and Redis subscribers see the same shape. */
  changedAt: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO 8601 time"),
});
export type TrendingChangedEvent = z.infer<typeof trendingChangedEventSchema>;

export async function publishTrendingChanged(pubsub: EventBus, event: TrendingChangedEvent): Promise<void> {
  await pubsub.publish(Topics.TRENDING_CHANGED, event);
}

export const parseTrendingChanged = parserFor(trendingChangedEventSchema);

/** Two ranked lists name the same books in the same order (counts aside). */
export function sameRanking(a: readonly { bookId: number }[], b: readonly { bookId: number }[]): boolean {
  return a.length === b.length && a.every((entry, index) => entry.bookId === b[index]!.bookId);
}
