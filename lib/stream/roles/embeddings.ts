import { resolve } from "node:path";
import { readInteraction } from "../../events/interaction.ts";
import { parseModelChanged } from "../../events/model-changed.ts";
import type { UserVectorChangedEvent } from "../../events/user-vector-changed.ts";
import { Topics } from "../../events/topics.ts";
import { foldInReader, loadProductionAlsFactors, type AlsFactors } from "../../models/als-factors.ts";
import { INTERACTIONS_STREAM } from "../index.ts";
import type { RoleOptions, RunningRole } from "./role.ts";

/**
 * The real-time user-vector updater: a reader's signal folds their vector in
 * against the production ALS item factors (the trainer's own least-squares step)
 * and publishes it as USER_VECTOR_CHANGED, so every recommendations instance serves
 * it and drops the reader's cached lists. Without an ALS model the event still goes
 * out (vector null): the lists change with the history all the same.
 */
export async function startEmbeddingsRole({ runtime, consumer }: RoleOptions): Promise<RunningRole> {
  const logger = runtime.logger.child({ role: "embeddings" });
  const artifacts = resolve(runtime.config.MODEL_ARTIFACTS_DIR);
  let factors: Promise<AlsFactors | null> | undefined;
  const currentFactors = () => {
    factors ??= loadProductionAlsFactors(runtime.db.prisma, artifacts).catch((error: unknown) => {
      logger.error({ err: error }, "cannot load the production ALS factors; publishing invalidations without vectors");
      factors = undefined;
      return null;
    });
    return factors;
  };
  await currentFactors();
  const modelListener = await runtime.pubsub.subscribe(Topics.MODEL_CHANGED, (payload: unknown) => {
    if (parseModelChanged(payload)?.name !== "als") return;
    // Loaded now, not on the next interaction: that reader's update should not wait for a model load.
    factors = undefined;
    void currentFactors();
  }, {});

  const stream = runtime.stream.consume({
    stream: INTERACTIONS_STREAM,
    group: "embeddings",
    consumer,
    async handle(message) {
      const event = readInteraction(message.payload);
      const als = await currentFactors();
      const vector = als ? await foldInReader(runtime.db.prisma, als, event.userId) : null;
      const changed: UserVectorChangedEvent = {
        userId: event.userId,
        model: als && vector ? { name: "als", version: als.version } : null,
        vector: vector ? Array.from(vector) : null,
        occurredAt: event.occurredAt,
      };
      await runtime.pubsub.publish(Topics.USER_VECTOR_CHANGED, changed);
    },
  });
  return {
    role: "embeddings",
    get acknowledged() {
      return stream.acknowledged;
    },
    async stop() {
      await stream.stop();
      runtime.pubsub.unsubscribe(modelListener);
    },
  };
}
