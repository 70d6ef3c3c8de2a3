import type { RetrainRequestedEvent } from "../../events/retrain-requested.ts";
import { Topics } from "../../events/topics.ts";
import { INTERACTIONS_STREAM } from "../index.ts";
import type { RoleOptions, RunningRole } from "./role.ts";

/**
 * The retrain trigger: counts the signals arriving on the stream and, every
 * TRAINER_NEW_INTERACTIONS of them, asks the trainer (ml-models/trainer.ts) to run
 * with RETRAIN_REQUESTED. The trainer's own periodic count stays as the backstop.
 */
export async function startRetrainRole({ runtime, consumer }: RoleOptions): Promise<RunningRole> {
  const threshold = runtime.config.TRAINER_NEW_INTERACTIONS;
  let counted = 0;
  const stream = runtime.stream.consume({
    stream: INTERACTIONS_STREAM,
    group: "retrain",
    consumer,
    async handle() {
      counted += 1;
      if (counted < threshold) return;
      const event: RetrainRequestedEvent = { newSignals: counted, requestedAt: new Date().toISOString() };
      await runtime.pubsub.publish(Topics.RETRAIN_REQUESTED, event);
      runtime.logger.info({ newSignals: counted }, "retraining requested");
      counted = 0;
    },
  });
  return {
    role: "retrain",
    get acknowledged() {
      return stream.acknowledged;
    },
    stop: () => stream.stop(),
  };
}
