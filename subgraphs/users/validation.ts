import { badUserInput } from "../../lib/errors.ts";

export const MIN_STARS = 1;
export const MAX_STARS = 5;
export const MAX_REVIEW_LENGTH = 10_000;

/** A star rating: a whole number of stars from 1 to 5. */
export function parseStars(value: number, field = "rating"): number {
  if (!Number.isInteger(value) || value < MIN_STARS || value > MAX_STARS) {
    throw badUserInput(`${field} must be a whole number of stars from ${MIN_STARS} to ${MAX_STARS}, got ${value}`, field);
  }
  return value;
}

/** Review text, trimmed: 1 to 10,000 characters (counted as code points, as a reader counts them). */
export function parseReviewText(value: string, field = "text"): string {
  const text = value.trim();
  const length = [...text].length;
  if (length === 0) throw badUserInput(`${field} must not be empty`, field);
  if (length > MAX_REVIEW_LENGTH) {
    throw badUserInput(`${field} must be at most ${MAX_REVIEW_LENGTH} characters, got ${length}`, field);
  }
  return text;
}
