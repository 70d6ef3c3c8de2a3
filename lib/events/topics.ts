/**
 * Names of the event channels. Pub/sub topics fan an event out to every listening
 * process (fire-and-forget: a process that is down misses it); the durable stream
 * keeps interactions until every consumer group has processed them.
 */
export const Topics = {
  /** A user expressed interest in a book (lib/events/interaction.ts); also the durable stream's only stream. */
  INTERACTION: "INTERACTION",
  /** A model version was promoted or rolled back (lib/events/model-changed.ts). */
  MODEL_CHANGED: "MODEL_CHANGED",
  /** The ranked trending list of a window changed (lib/events/trending-changed.ts). */
  TRENDING_CHANGED: "TRENDING_CHANGED",
  /** A reader's vector was recomputed from a new signal (lib/events/user-vector-changed.ts). */
  USER_VECTOR_CHANGED: "USER_VECTOR_CHANGED",
  /** A reader's recommendation list was invalidated by their own signal (lib/events/recommendations-updated.ts). */
  RECOMMENDATIONS_UPDATED: "RECOMMENDATIONS_UPDATED",
  /** Enough new signals arrived since the last training: the trainer should run (lib/events/retrain-requested.ts). */
  RETRAIN_REQUESTED: "RETRAIN_REQUESTED",
  /** An admin changed the catalogue (create/update/delete a book, merge authors): the response cache moves on (lib/catalogue/catalogue-changed.ts). */
  CATALOGUE_CHANGED: "CATALOGUE_CHANGED",
} as const;
export type Topic = (typeof Topics)[keyof typeof Topics];
