import type { Express } from "express";
import { parseModelChanged } from "../../lib/events/model-changed.ts";
import type { RecommendationsUpdatedEvent } from "../../lib/events/recommendations-updated.ts";
import { parseTrendingChanged } from "../../lib/events/trending-changed.ts";
import { parseUserVectorChanged } from "../../lib/events/user-vector-changed.ts";
import { Topics } from "../../lib/pubsub.ts";
import type { Runtime } from "../../lib/runtime.ts";
import type { RequestContext } from "../../lib/server/context.ts";
import type { SubgraphDefinition } from "../../lib/server/subgraph-server.ts";
import { createRecommendationsContext, type RecommendationsContext } from "./context.ts";
import { permissions } from "./permissions.ts";
import { resolvers } from "./resolvers.ts";
import { RecommendationEngine } from "./serving/recommendation-engine.ts";
import { TrendingLists } from "./serving/trending-lists.ts";

interface Serving {
  engine: RecommendationEngine;
  trending: TrendingLists;
}

/** Keyed by the runtime's cache: the server hands resolvers a per-service copy of the runtime, which shares it. */
const servings = new WeakMap<Runtime["cache"], Serving>();

function servingOf(runtime: Runtime): Serving {
  const serving = servings.get(runtime.cache);
  if (!serving) throw new Error("the recommendations subgraph is not running on this runtime");
  return serving;
}

/** The engine serving a runtime (tests and the bench reach its metrics and fault injection through it). */
export function recommendationEngineOf(runtime: Runtime): RecommendationEngine {
  return servingOf(runtime).engine;
}

async function startEngine(runtime: Runtime, app: Express): Promise<{ stop(): Promise<void>; ready(): void }> {
  const logger = runtime.logger.child({ component: "recommendation-engine" });
  const engine = new RecommendationEngine(runtime.db.prisma, runtime.cache, logger, runtime.config, {
    caching: runtime.config.RECOMMENDATION_CACHE,
    batching: runtime.config.INFERENCE_BATCHING,
    warmOnSwitch: true,
  });
  await engine.start();
  const trending = new TrendingLists(runtime.trending, runtime.db.prisma, runtime.cache);
  servings.set(runtime.cache, { engine, trending });
  const subscriptions = [
    await runtime.pubsub.subscribe(Topics.MODEL_CHANGED, (payload: unknown) => {
      const event = parseModelChanged(payload);
      if (event) void engine.switchModel(event);
      else logger.warn({ payload }, "ignoring malformed MODEL_CHANGED event");
    }, {}),
    // Clicks for the CTR metrics: a reader acting on a book they were recommended. Their
    // history changed too: the next request reads it afresh.
    await runtime.pubsub.subscribe(Topics.INTERACTION, (payload: { userId?: unknown; bookId?: unknown; type?: unknown }) => {
      const userId = Number(payload?.userId);
      if (!Number.isInteger(userId) || userId <= 0) return;
      engine.histories.forget(userId);
      engine.telemetry.interaction({ userId, bookId: Number(payload.bookId), type: String(payload.type) });
    }, {}),
    // An admin changed the catalogue: titles and authors are read afresh.
    await runtime.pubsub.subscribe(Topics.CATALOGUE_CHANGED, () => engine.bookFacts.clear(), {}),
    await runtime.pubsub.subscribe(Topics.TRENDING_CHANGED, (payload: unknown) => {
      const event = parseTrendingChanged(payload);
      if (event) trending.changed(event).catch((error: unknown) => logger.warn({ err: error }, "could not store a trending list"));
      else logger.warn({ payload }, "ignoring malformed TRENDING_CHANGED event");
    }, {}),
    // The embeddings consumer folded a reader in: serve their new vector, drop their lists, and say so.
    await runtime.pubsub.subscribe(Topics.USER_VECTOR_CHANGED, (payload: unknown) => {
      const event = parseUserVectorChanged(payload);
      if (!event) return void logger.warn({ payload }, "ignoring malformed USER_VECTOR_CHANGED event");
      const vector = event.vector ? Float32Array.from(event.vector) : null;
      engine.readers
        .applyUserVector(event.userId, vector, event.model)
        .then(() => {
          const updated: RecommendationsUpdatedEvent = { userId: event.userId, updatedAt: new Date().toISOString() };
          return runtime.pubsub.publish(Topics.RECOMMENDATIONS_UPDATED, updated);
        })
        .catch((error: unknown) => logger.warn({ err: error, userId: event.userId }, "real-time update failed"));
    }, {}),
    await runtime.pubsub.subscribe(Topics.USER_ERASED, (payload: { userId?: unknown }) => {
      const userId = Number(payload?.userId);
      if (Number.isInteger(userId) && userId > 0) engine.readers.erase(userId);
    }, {}),
  ];
  let stopping: Promise<void> | undefined;
  return {
    ready: () => engine.ready(),
    stop() {
      // Idempotent: a test may stop this subgraph alone and then the whole supergraph.
      stopping ??= (async () => {
        for (const id of subscriptions) runtime.pubsub.unsubscribe(id);
        servings.delete(runtime.cache);
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
  extendContext: (base: RequestContext) => {
    const { engine, trending } = servingOf(base.runtime);
    return createRecommendationsContext(base, engine, trending);
  },
  start: startEngine,
};
