import type { KeyValueCache, KeyValueCacheSetOptions } from "@apollo/utils.keyvaluecache";
import type { Logger } from "../../lib/logger.ts";
import type { Redis } from "../../lib/redis.ts";

/**
 * Apollo's KeyValueCache over the project's ioredis client, for the stores Apollo
 * Server's features take (persisted queries, response cache), shared by every gateway
 * instance. A Redis that cannot answer is a miss and a skipped write, never a failed request.
 */
export class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly defaultTtlSeconds: number,
  ) {}

  async get(key: string) {
    try {
      return (await this.redis.get(this.prefix + key)) ?? undefined;
    } catch (error) {
      this.logger.warn({ err: error, prefix: this.prefix }, "redis cache read failed");
      return undefined;
    }
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions) {
    const ttl = options?.ttl ?? this.defaultTtlSeconds;
    try {
      // Apollo passes ttl null for "forever"; nothing here should outlive its default.
      await this.redis.set(this.prefix + key, value, "EX", Math.max(1, Math.ceil(ttl ?? this.defaultTtlSeconds)));
    } catch (error) {
      this.logger.warn({ err: error, prefix: this.prefix }, "redis cache write failed");
    }
  }

  async delete(key: string) {
    await this.redis.del(this.prefix + key).catch(() => undefined);
  }
}
