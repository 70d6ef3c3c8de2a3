/** Lists are computed (and cached) at this length; any requested limit is a prefix. */
export const LIST_LENGTH = 50;

/** The strategies a client (or an experiment's variant) can ask for. */
export type Strategy = "CF" | "CONTENT" | "HYBRID" | "POPULARITY";

/**
 * Which path produced a list: a model (MODEL, or MODEL_BLENDED when its confidence
 * was low and popularity was mixed in), the cache (CACHE; STALE_CACHE when the model
 * failed and a previous answer was served), stated preferences for readers with no
 * history (COLD_START), or the model-free fallbacks (CO_OCCURRENCE; METADATA for a
 * book no model knows yet; POPULARITY).
 */
export type Source = "MODEL" | "MODEL_BLENDED" | "CACHE" | "STALE_CACHE" | "COLD_START" | "CO_OCCURRENCE" | "METADATA" | "POPULARITY";

export interface ServedItem {
  readonly bookId: number;
  /** Confidence, 0 to 1. */
  readonly score: number;
  readonly reasons: string[];
}

export interface ServedList {
  readonly items: ServedItem[];
  readonly source: Source;
  /** e.g. "hybrid(item-cf+content)", "als", "popularity". */
  readonly algorithm: string;
  readonly modelName: string | null;
  readonly modelVersion: number | null;
}

/** A list as one request received it: its id (what events refer to) and the experiment arm that produced it. */
export interface DeliveredList extends ServedList {
  readonly listId: string;
  readonly experiment: string | null;
  readonly variant: string | null;
}

export const clamp01 = (value: number) => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
