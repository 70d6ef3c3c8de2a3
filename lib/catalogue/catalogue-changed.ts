import type { Logger } from "../logger.ts";
import { Topics, type EventBus } from "../pubsub.ts";

/** Published by the books subgraph after an admin's catalogue mutation commits; the gateway's response cache starts afresh. */
export interface CatalogueChanged {
  mutation: "createBook" | "updateBook" | "deleteBook" | "mergeAuthors";
  /** Milliseconds since the epoch; every gateway instance that hears the event uses it as its cache generation. */
  changedAt: number;
}

export function isCatalogueChanged(payload: unknown): payload is CatalogueChanged {
  return typeof (payload as CatalogueChanged | undefined)?.changedAt === "number" && typeof (payload as CatalogueChanged).mutation === "string";
}

/**
 * Announces a committed catalogue change. The change itself has succeeded, so a bus
 * that cannot publish is logged, not raised: cached answers then age out by their TTL.
 */
export async function publishCatalogueChanged(pubsub: EventBus, mutation: CatalogueChanged["mutation"], logger: Logger): Promise<void> {
  const event: CatalogueChanged = { mutation, changedAt: Date.now() };
  try {
    await pubsub.publish(Topics.CATALOGUE_CHANGED, event);
  } catch (error) {
    logger.warn({ err: error, mutation }, "catalogue change not announced; cached answers expire by their TTL");
  }
}
