import type { Express } from "express";
import { parseModelChanged } from "../../lib/models/model-changed.ts";
import { Topics } from "../../lib/pubsub.ts";
import type { Runtime } from "../../lib/runtime.ts";
import type { RequestContext } from "../../lib/server/context.ts";
import type { SubgraphDefinition } from "../../lib/server/subgraph-server.ts";
import { createRecommendationsContext, type RecommendationsContext } from "./context.ts";
import { permissions } from "./permissions.ts";
import { resolvers } from "./resolvers.ts";
import { RecommendationEngine } from "./serving/recommendation-engine.ts";

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
  const engine = new RecommendationEngine(runtime.db.prisma, runtime.cache, logger, runtime.config);
  await engine.start();
  engines.set(runtime.cache, engine);
  const subscriptions = [
    await runtime.pubsub.subscribe(Topics.MODEL_CHANGED, (payload: unknown) => {
      const event = parseModelChanged(payload);
      if (event) void engine.switchModel(event);
      else logger.warn({ payload }, "ignoring malformed MODEL_CHANGED event");
    }, {}),
    await runtime.pubsub.subscribe(Topics.INTERACTION, (payload: { userId?: unknown }) => {
      const userId = Number(payload?.userId);
      if (!Number.isInteger(userId) || userId < 1) return;
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
