import type { Express } from "express";
import { parseModelChanged } from "../../lib/models/model-changed.ts";
import { Topics } from "../../lib/pubsub.ts";
import { publishTrendingChanged, TRENDING_LIST_LENGTH } from "../../lib/trending/trending-changed.ts";
import type { Runtime } from "../../lib/runtime.ts";
import type { RequestContext } from "../../lib/server/context.ts";
import type { SubgraphDefinition } from "../../lib/server/subgraph-server.ts";
import { createRecommendationsContext, type RecommendationsContext } from "./context.ts";
import { permissions } from "./permissions.ts";
import { resolvers } from "./resolvers.ts";
import { RecommendationEngine } from "./serving/recommendation-engine.ts";
import { trendingBooks } from "./serving/catalogue.ts";
import { TrendingWatcher } from "./serving/trending-watcher.ts";

/** Recomputing a window's trending list at most once a second keeps a burst of interactions to one query per window. */
const TRENDING_DEBOUNCE_MS = 1000;
/** Interactions age out of the windows with no event to say so: the hour window moves visibly within half a minute. */
const TRENDING_REFRESH_MS = 30_000;

/** Keyed by the runtime's cache: the server hands resolvers a per-service copy of the runtime, which shares it. */
const engines = new WeakMap<Runtime["cache"], RecommendationEngine>();

/** The engine serving a runtime (tests and the bench reach its metrics and fault injection through it). */
export function recommendationEngineOf(runtime: Runtime): RecommendationEngine {
  const engine = engines.get(runtime.cache);
  if (!engine) throw new Error("the recommendations subgraph is not running on this runtime");
  return engine;
}

async function startEngine(runtime: Runtime, app: Express): Promise<{ stop(): Promise<void> }> {
  const logger = runtime.logger.child({ component: "recommendation-engine" });
  const engine = new RecommendationEngine(runtime.db.prisma, runtime.cache, logger, runtime.config, {
    caching: runtime.config.RECOMMENDATION_CACHE,
    batching: runtime.config.INFERENCE_BATCHING,
    warmOnSwitch: true,
  });
  await engine.start();
  engines.set(runtime.cache, engine);
  const trending = new TrendingWatcher({
    compute: (window) => trendingBooks(runtime.db.prisma, window, TRENDING_LIST_LENGTH),
    onChange: async (window, books) => {
      await engine.trendingChanged(window);
      await publishTrendingChanged(runtime.pubsub, { window, books, changedAt: new Date().toISOString() });
    },
    logger: logger.child({ component: "trending-watcher" }),
    debounceMs: TRENDING_DEBOUNCE_MS,
    refreshMs: TRENDING_REFRESH_MS,
  });
  // Never throws: a window it cannot compute now is learnt on the next interaction or refresh.
  await trending.start();
  const subscriptions = [
    await runtime.pubsub.subscribe(Topics.MODEL_CHANGED, (payload: unknown) => {
      const event = parseModelChanged(payload);
      if (event) void engine.switchModel(event);
      else logger.warn({ payload }, "ignoring malformed MODEL_CHANGED event");
    }, {}),
    await runtime.pubsub.subscribe(Topics.INTERACTION, (payload: { userId?: unknown }) => {
      const userId = Number(payload?.userId);
      if (!Number.isInteger(userId) || userId < 1) return;
      trending.interactionArrived();
      engine.handleInteraction(userId).catch((error: unknown) => logger.warn({ err: error, userId }, "real-time update failed"));
    }, {}),
  ];
  app.get("/metrics", (_request, response) => {
    response.json(engine.snapshot());
  });
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      // Idempotent: a test may stop this subgraph alone and then the whole supergraph.
      stopping ??= (async () => {
        for (const id of subscriptions) runtime.pubsub.unsubscribe(id);
        engines.delete(runtime.cache);
        await trending.stop();
        await engine.stop();
      })();
      return stopping;
    },
  };
}

export const recommendationsSubgraph: SubgraphDefinition<RecommendationsContext> = {
  name: "recommendations",
  schemaPath: new URL("./schema.graphql", import.meta.url),
  resolvers,
  permissions,
  extendContext: (base: RequestContext) => createRecommendationsContext(base, recommendationEngineOf(base.runtime)),
  start: startEngine,
};
