import { TRENDING_WINDOW_NAMES, type TrendingWindow } from "../events/trending-changed.ts";
import type { Logger } from "../logger.ts";
import { createRedisClient, type Redis } from "../redis.ts";
import { NEGLIGIBLE_SCORE, REBASE_EXPONENT, TRENDING_TIME_CONSTANT_MS } from "./decay.ts";

export interface TrendingSignal {
  readonly bookId: number;
  /** Epoch milliseconds of the interaction. */
  readonly at: number;
}

/**
 * Exponentially decayed interaction counts per book and window: a Redis sorted set
 * per window when REDIS_URL is set (shared by every trending consumer and read by
 * every recommendations instance), an in-process map otherwise.
 */
export interface TrendingStore {
  record(signals: readonly TrendingSignal[]): Promise<void>;
  /** Best first, scores decayed to `now`. */
  top(window: TrendingWindow, limit: number, now?: number): Promise<{ bookId: number; score: number }[]>;
  /** Replaces a window's scores with ones decayed to `at` (the backfill from the database). */
  replace(window: TrendingWindow, scores: readonly { bookId: number; score: number }[], at: number): Promise<void>;
  /** True until something was recorded or replaced (a fresh Redis, or every embedded start). */
  isEmpty(): Promise<boolean>;
  close(): Promise<void>;
}

export function createTrendingStore(options: { REDIS_URL?: string; STREAM_KEY_PREFIX: string }, logger: Logger): TrendingStore {
  return options.REDIS_URL
    ? redisTrendingStore(createRedisClient(options.REDIS_URL, logger, "trending"), `${options.STREAM_KEY_PREFIX}trending:`)
    : memoryTrendingStore();
}

function memoryTrendingStore(): TrendingStore {
  const windows = new Map(TRENDING_WINDOW_NAMES.map((window) => [window, { epoch: Date.now(), scores: new Map<number, number>() }]));
  return {
    async record(signals) {
      for (const [window, state] of windows) {
        const tau = TRENDING_TIME_CONSTANT_MS[window];
        for (const { bookId, at } of signals) {
          if ((at - state.epoch) / tau > REBASE_EXPONENT) {
            const factor = Math.exp(-(at - state.epoch) / tau);
            for (const [id, score] of state.scores) {
              if (score * factor < NEGLIGIBLE_SCORE) state.scores.delete(id);
              else state.scores.set(id, score * factor);
            }
            state.epoch = at;
          }
          state.scores.set(bookId, (state.scores.get(bookId) ?? 0) + Math.exp((at - state.epoch) / tau));
        }
      }
    },
    async top(window, limit, now = Date.now()) {
      const state = windows.get(window)!;
      const factor = Math.exp(-(now - state.epoch) / TRENDING_TIME_CONSTANT_MS[window]);
      return [...state.scores]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, limit)
        .map(([bookId, score]) => ({ bookId, score: score * factor }));
    },
    async replace(window, scores, at) {
      windows.set(window, { epoch: at, scores: new Map(scores.map((entry) => [entry.bookId, entry.score])) });
    },
    async isEmpty() {
      return [...windows.values()].every((state) => state.scores.size === 0);
    },
    async close() {},
  };
}

/**
 * One script per signal keeps the epoch, the rescale and the increment atomic, so
 * trending consumers in several processes never apply an increment against a
 * stale epoch. KEYS: scores, epoch. ARGV: now, tau, member, rebase exponent, negligible score.
 */
const RECORD_SCRIPT = `
local at = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local epoch = tonumber(redis.call('GET', KEYS[2]) or '')
if not epoch then
  epoch = at
  redis.call('SET', KEYS[2], at)
end
local exponent = (at - epoch) / tau
if exponent > tonumber(ARGV[4]) then
  redis.call('ZUNIONSTORE', KEYS[1], 1, KEYS[1], 'WEIGHTS', math.exp(-exponent))
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[5])
  epoch = at
  redis.call('SET', KEYS[2], at)
  exponent = 0
end
redis.call('ZINCRBY', KEYS[1], math.exp(exponent), ARGV[3])
return 1
`;

type RedisWithTrending = Redis & {
  recordTrending(scores: string, epoch: string, at: number, tau: number, member: string, rebase: number, negligible: number): Promise<number>;
};

function redisTrendingStore(redis: Redis, prefix: string): TrendingStore {
  redis.defineCommand("recordTrending", { numberOfKeys: 2, lua: RECORD_SCRIPT });
  const client = redis as RedisWithTrending;
  const scoresKey = (window: TrendingWindow) => `${prefix}${window}`;
  const epochKey = (window: TrendingWindow) => `${prefix}${window}:epoch`;
  return {
    async record(signals) {
      if (signals.length === 0) return;
      const pipeline = client.pipeline() as unknown as RedisWithTrending & { exec(): Promise<[Error | null, unknown][] | null> };
      for (const window of TRENDING_WINDOW_NAMES) {
        for (const { bookId, at } of signals) {
          void pipeline.recordTrending(scoresKey(window), epochKey(window), at, TRENDING_TIME_CONSTANT_MS[window], String(bookId), REBASE_EXPONENT, NEGLIGIBLE_SCORE);
        }
      }
      const failed = ((await pipeline.exec()) ?? []).find(([error]) => error);
      if (failed) throw failed[0];
    },
    async top(window, limit, now = Date.now()) {
      const [raw, epoch] = await Promise.all([client.zrevrange(scoresKey(window), 0, limit - 1, "WITHSCORES"), client.get(epochKey(window))]);
      const factor = epoch === null ? 1 : Math.exp(-(now - Number(epoch)) / TRENDING_TIME_CONSTANT_MS[window]);
      const entries: { bookId: number; score: number }[] = [];
      for (let index = 0; index < raw.length; index += 2) entries.push({ bookId: Number(raw[index]), score: Number(raw[index + 1]) * factor });
      return entries;
    },
    async replace(window, scores, at) {
      const transaction = client.multi().del(scoresKey(window)).set(epochKey(window), at);
      for (let start = 0; start < scores.length; start += 1000) {
        transaction.zadd(scoresKey(window), ...scores.slice(start, start + 1000).flatMap((entry) => [entry.score, String(entry.bookId)]));
      }
      await transaction.exec();
    },
    async isEmpty() {
      return (await client.exists(...TRENDING_WINDOW_NAMES.map(epochKey))) === 0;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
