import { readInteraction } from "../../events/interaction.ts";
import { inPrismaTransaction } from "../../db/transaction.ts";
import { relearnPreferences } from "../../preferences/learnt-preferences.ts";
import { INTERACTIONS_STREAM } from "../index.ts";
import type { RoleOptions, RunningRole } from "./role.ts";

/** Ratings are what preferences are learnt from (a review with stars also rates the book). */
const LEARNT_FROM = new Set(["RATE", "REVIEW"]);

/** The learnt-preference updater: a reader's rating relearns their favourite genres and authors. */
export async function startPreferencesRole({ runtime, consumer }: RoleOptions): Promise<RunningRole> {
  const stream = runtime.stream.consume({
    stream: INTERACTIONS_STREAM,
    group: "preferences",
    consumer,
    async handle(message) {
      const event = readInteraction(message.payload);
      if (!LEARNT_FROM.has(event.type) || event.value === null) return;
      // Recomputed from the ratings as they are now: replaying an old event is harmless.
      await inPrismaTransaction(runtime.db.prisma, (tx) => relearnPreferences(tx, event.userId));
    },
  });
  return {
    role: "preferences",
    get acknowledged() {
      return stream.acknowledged;
    },
    stop: () => stream.stop(),
  };
}
