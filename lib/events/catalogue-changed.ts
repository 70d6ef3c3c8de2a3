import { z } from "zod";
import type { Logger } from "../logger.ts";
import type { EventBus } from "../pubsub.ts";
import { parserFor } from "./parse.ts";
import { Topics } from "./topics.ts";

/**
 * Published on Topics.CATALOGUE_CHANGED by the books subgraph after an admin's
 * catalogue mutation commits; the gateway's response cache starts a new generation.
 */
export const catalogueChangedEventSchema = z.object({
  mutation: z.enum(["createBook", "updateBook", "deleteBook", "mergeAuthors"]),
  /** Milliseconds since the epoch; every gateway instance that hears the event uses it as its cache generation. */
  changedAt: z.number().int(),
});
export type CatalogueChangedEvent = z.infer<typeof catalogueChangedEventSchema>;

/**
 * Announces a committed catalogue change. The change itself has succeeded, so a bus
 * that cannot publish is logged, not raised: cached answers then age out by their TTL.
 */
export async function publishCatalogueChanged(pubsub: EventBus, mutation: CatalogueChangedEvent["mutation"], logger: Logger): Promise<void> {
  const event: CatalogueChangedEvent = { mutation, changedAt: Date.now() };
  try {
    await pubsub.publish(Topics.CATALOGUE_CHANGED, event);
  } catch (error) {
    logger.warn({ err: error, mutation }, "catalogue change not announced; cached answers expire by their TTL");
  }
}

export const parseCatalogueChanged = parserFor(catalogueChangedEventSchema);
