import type { EventBus } from "../pubsub.ts";
import { Topics } from "../pubsub.ts";

/** The sliding windows trending lists are computed over (the recommendations subgraph owns their lengths). */
export const TRENDING_WINDOW_NAMES = ["HOUR", "DAY", "WEEK"] as const;
export type TrendingWindow = (typeof TRENDING_WINDOW_NAMES)[number];

/** Length of the ranked list each event carries; a subscriber's limit is a prefix of it. */
export const TRENDING_LIST_LENGTH = 50;

export interface TrendingEntry {
  readonly bookId: number;
  /** Distinct readers who interacted with the book within the window: the ranking key. */
  readonly readers: number;
  /** All interactions within the window: the tie-breaker. */
  readonly interactions: number;
}

/**
 * Published on Topics.TRENDING_CHANGED when the ranked list of a window changed
 * (books entered, left or swapped places), not when only counts moved.
 */
export interface TrendingChangedEvent {
  readonly window: TrendingWindow;
  /** Best first, at most TRENDING_LIST_LENGTH entries. */
  readonly books: readonly TrendingEntry[];
  /** ISO 8601, so in-process and Redis subscribers see the same shape. */
  readonly changedAt: string;
}

export async function publishTrendingChanged(pubsub: EventBus, event: TrendingChangedEvent): Promise<void> {
  await pubsub.publish(Topics.TRENDING_CHANGED, event);
}

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0;

function parseEntry(value: unknown): TrendingEntry | null {
  if (typeof value !== "object" || value === null) return null;
  const { bookId, readers, interactions } = value as Record<string, unknown>;
  if (!isCount(bookId) || bookId < 1 || !isCount(readers) || !isCount(interactions)) return null;
  return { bookId, readers, interactions };
}

/** Events cross process boundaries (Redis), so a subscriber checks their shape rather than trusting it. */
export function parseTrendingChanged(payload: unknown): TrendingChangedEvent | null {
  if (typeof payload !== "object" || payload === null) return null;
  const { window, books, changedAt } = payload as Record<string, unknown>;
  if (!TRENDING_WINDOW_NAMES.includes(window as TrendingWindow) || !Array.isArray(books) || typeof changedAt !== "string") return null;
  const entries = books.map(parseEntry);
  if (entries.some((entry) => entry === null) || Number.isNaN(Date.parse(changedAt))) return null;
  return { window: window as TrendingWindow, books: entries as TrendingEntry[], changedAt };
}

/** Two ranked lists name the same books in the same order (counts aside). */
export function sameRanking(a: readonly TrendingEntry[], b: readonly TrendingEntry[]): boolean {
  return a.length === b.length && a.every((entry, index) => entry.bookId === b[index]!.bookId);
}
