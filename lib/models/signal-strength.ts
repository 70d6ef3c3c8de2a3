/**
 * How strongly each kind of signal says "this reader wants this book", on the
 * 1-5 scale of a star rating so explicit and implicit signals share one confidence
 * scale for ALS. A view is weak evidence; finishing a book is nearly a 4-star.
 * Training (extraction) and serving (the real-time fold-in) must weigh signals
 * identically, which is why this lives in lib/.
 */
export const IMPLICIT_STRENGTH = {
  VIEW: 0.5,
  SHELVE: 1.5,
  START_READING: 2,
  REVIEW: 3,
  FINISH_READING: 3.5,
  /** A RATE event without a value. */
  RATE: 3,
} as const satisfies Record<string, number>;

export type InteractionType = keyof typeof IMPLICIT_STRENGTH;

/** A rating on any scale brought to stars; scale 0 marks an implicit (unscaled) rating. */
export function ratingStrength(rating: number, scale: number): number {
  if (scale <= 0) return IMPLICIT_STRENGTH.RATE;
  return (rating / scale) * 5;
}

export function interactionStrength(type: string, value: number | null): number {
  if (type === "RATE" && value !== null && Number.isFinite(value)) return Math.max(value, 0.5);
  return IMPLICIT_STRENGTH[type as InteractionType] ?? IMPLICIT_STRENGTH.VIEW;
}

/**
 * A signal's time as SQL text: whole epoch milliseconds of a timestamp column. The
 * extraction and a reader's history read it alike, so both order signals the same way.
 */
export const signalMillisSql = (column: string): string => `round(extract(epoch FROM ${column}) * 1000)::text`;
