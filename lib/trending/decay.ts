import type { TrendingWindow } from "../events/trending-changed.ts";

/**
 * Each window's time constant: an interaction counts e^(-age/tau). An hour-old view
 * weighs 1/e in the HOUR list and almost fully in the WEEK list.
 */
export const TRENDING_TIME_CONSTANT_MS: Record<TrendingWindow, number> = {
  HOUR: 3_600_000,
  DAY: 86_400_000,
  WEEK: 7 * 86_400_000,
};

/**
 * Scores are stored as weight * e^((t - epoch)/tau) against a per-window epoch, so
 * recording is one increment and decay costs nothing until read. When the exponent
 * grows past this the whole set is rescaled to a new epoch (e^40 keeps doubles exact enough).
 */
export const REBASE_EXPONENT = 40;

/** Entries below this (decayed) score are dropped when rescaling: a book nobody touched for many time constants. */
export const NEGLIGIBLE_SCORE = 1e-6;
