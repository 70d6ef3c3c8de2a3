import { randomBytes } from "node:crypto";
import type { Cache } from "../../../lib/cache.ts";
import type { ServedList, Strategy } from "./served-list.ts";
import type { ServingMetrics } from "./serving-metrics.ts";

/** A fallback answer when the model fails: the last model answer, kept a day. */
const STALE_TTL_SECONDS = 24 * 3600;
/**
 * A reader's generation outlives every list stored under it (lists live at most
 * STALE_TTL_SECONDS). Should it vanish all the same (expiry, eviction), the next read
 * starts a new one: the reader's lists go cold, old ones are never served.
 */
const GENERATION_TTL_SECONDS = 7 * 24 * 3600;

/** Which list: similar books of a seed (shared by every reader) or a reader's own list. */
export type ListRef =
  | { readonly kind: "similar"; readonly bookId: number; readonly strategy: Strategy; readonly diversify: boolean }
  | { readonly kind: "reader"; readonly userId: number; readonly strategy: Strategy; readonly excludeRead: boolean; readonly diversify: boolean };

/**
 * A model-free list served because no model can answer the list (a book newer than
 * the last training): kept briefly, so a popular new book does not run the fallback's
 * SQL on every request until the next training. Its key carries the models' versions
 * like a fresh one: a model that can answer retires it.
 */
const MODEL_FREE_TTL_SECONDS = 300;

/** The cache entries of one list: the fresh answer of the current models, the last model answer, and the model-free answer while no model can give one. */
export interface ListKeys {
  readonly fresh: string;
  readonly stale: string;
  readonly modelFree: string;
}

export function describeList(ref: ListRef): string {
  return ref.kind === "similar"
    ? `similar:${ref.bookId}:${ref.strategy}:${ref.diversify ? 1 : 0}`
    : `user:${ref.userId}:${ref.strategy}:${ref.excludeRead ? 1 : 0}:${ref.diversify ? 1 : 0}`;
}

const newGeneration = () => `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;

/**
 * Served lists, cached at full length. Fresh keys carry every production model's
 * version and the experiment variant, so a model switch or a new arm retires old
 * entries by itself. A reader's keys also carry their generation: a new rating
 * bumps it (one write), and every list computed before is unreachable, whichever of
 * the strategy/exclude/diversify combinations it was.
 */
export class ListCache {
  constructor(
    private readonly cache: Cache,
    private readonly versionTag: () => string,
    private readonly metrics: ServingMetrics,
  ) {}

  async keysOf(ref: ListRef, variant: string): Promise<ListKeys> {
    const list = ref.kind === "reader" ? `${describeList(ref)}:g${await this.generationOf(ref.userId)}` : describeList(ref);
    const versions = this.versionTag();
    return { fresh: `rec:${versions}:${variant}:${list}`, stale: `rec:last:${variant}:${list}`, modelFree: `rec:free:${versions}:${variant}:${list}` };
  }

  async fresh(keys: ListKeys): Promise<ServedList | undefined> {
    const cached = await this.cache.get<ServedList>(keys.fresh);
    if (cached) this.metrics.cacheHits += 1;
    else this.metrics.cacheMisses += 1;
    return cached;
  }

  stale(keys: ListKeys): Promise<ServedList | undefined> {
    return this.cache.get<ServedList>(keys.stale);
  }

  async store(keys: ListKeys, list: ServedList): Promise<void> {
    await this.cache.setMany([{ key: keys.fresh }, { key: keys.stale, ttlSeconds: STALE_TTL_SECONDS }], list);
  }

  modelFree(keys: ListKeys): Promise<ServedList | undefined> {
    return this.cache.get<ServedList>(keys.modelFree);
  }

  storeModelFree(keys: ListKeys, list: ServedList): Promise<void> {
    return this.cache.set(keys.modelFree, list, MODEL_FREE_TTL_SECONDS);
  }

  /** The reader acted: their cached lists are retired by moving them to a new generation. */
  async invalidateReader(userId: number): Promise<void> {
    await this.cache.set(this.generationKey(userId), newGeneration(), GENERATION_TTL_SECONDS);
    this.metrics.invalidations += 1;
  }

  private generationOf(userId: number): Promise<string> {
    return this.cache.getOrSet(this.generationKey(userId), async () => newGeneration(), GENERATION_TTL_SECONDS);
  }

  private generationKey(userId: number): string {
    return `rec:generation:${userId}`;
  }
}
