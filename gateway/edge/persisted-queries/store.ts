import { InMemoryLRUCache, PrefixingKeyValueCache, type KeyValueCache, type KeyValueCacheSetOptions } from "@apollo/utils.keyvaluecache";
import type { PersistedQueryMode } from "../../../lib/config/edge.ts";
import type { Logger } from "../../../lib/logger.ts";
import type { Redis } from "../../../lib/redis.ts";
import { RedisKeyValueCache } from "../redis-key-value-cache.ts";
import type { TrustedDocuments } from "./manifest-file.ts";

/** How long an automatically persisted query is remembered after its last registration. */
const APQ_TTL_SECONDS = 24 * 60 * 60;

/**
 * What Apollo Server's APQ looks a hash up in: the trusted documents first (their
 * ids resolve without a registration round trip), then, unless trusted documents are
 * enforced, the automatically persisted ones. With `enforce` nothing is registered.
 */
class PersistedQueryStore implements KeyValueCache<string> {
  constructor(
    private readonly trusted: TrustedDocuments | undefined,
    private readonly automatic: KeyValueCache<string> | undefined,
  ) {}
  async get(id: string) {
    return this.trusted?.bodyOf(id) ?? (await this.automatic?.get(id));
  }
  async set(id: string, body: string, options?: KeyValueCacheSetOptions) {
    if (this.trusted?.bodyOf(id)) return;
    await this.automatic?.set(id, body, options);
  }
  async delete(id: string) {
    await this.automatic?.delete(id);
  }
}

export function createPersistedQueryStore(options: {
  mode: PersistedQueryMode;
  trusted: TrustedDocuments;
  redis: Redis | undefined;
  keyPrefix: string;
  logger: Logger;
}): KeyValueCache<string> {
  const automatic =
    options.mode === "enforce"
      ? undefined
      : options.redis
        ? new RedisKeyValueCache(options.redis, `${options.keyPrefix}apq:`, options.logger, APQ_TTL_SECONDS)
        : new InMemoryLRUCache<string>({ maxSize: 30 * 1024 * 1024, ttl: APQ_TTL_SECONDS });
  const store = new PersistedQueryStore(options.mode === "off" ? undefined : options.trusted, automatic);
  // Keys are raw SHA-256 ids (the Redis store namespaces its own), so Apollo's "apq:" prefix is not added.
  return PrefixingKeyValueCache.cacheDangerouslyDoesNotNeedPrefixesForIsolation(store);
}
