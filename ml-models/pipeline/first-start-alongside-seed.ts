import type { SqlDatabase } from "../../lib/db/database.ts";
import type { WritableDemoDataset } from "../../prisma/seed/dataset.ts";
import { firstStartModels, productionSet, type ProductionSet } from "./first-start-set.ts";
import { trainAllInWorker, type FullTrainingOptions, type RunningTraining } from "./train-in-worker.ts";

export interface FirstStartAlongsideSeed {
  /**
   * Called once the seed is over. `written`: the demo data this run trains from is
   * committed, so its models may be registered; otherwise the run is dropped and the
   * first-start set is trained from the database as usual. Returns what production holds.
   */
  finish(written: boolean): Promise<ProductionSet>;
}

/**
 * A fresh install's first-start set, trained on a worker thread from the demo data the
 * seeder is writing, as soon as that data is generated: the fits overlap the writes
 * (which keep the serving thread busy) and nothing is extracted back. The run holds
 * back its first statement (registration) until `finish(true)`: the same models, on
 * the same data, as training after the seed, only earlier.
 */
export function trainFirstStartSetAlongsideSeed(db: SqlDatabase, demoData: Promise<WritableDemoDataset>, options: Omit<FullTrainingOptions, "firstStart">): FirstStartAlongsideSeed {
  let settle!: (written: boolean) => void;
  const written = new Promise<boolean>((resolve) => (settle = resolve));
  const databaseReady = written.then((ok) => (ok ? undefined : Promise.reject(new Error("the demo data was not written"))));
  databaseReady.catch(() => {});
  // Without generated data (it failed on its worker) there is nothing to train from early.
  const running: Promise<RunningTraining | null> = demoData.then(
    (data) => trainAllInWorker(db, { ...options, firstStart: { demoData: data, databaseReady } }),
    () => null,
  );
  const { logger } = options;
  return {
    async finish(wasWritten) {
      const run = await running;
      const before = run && wasWritten ? await productionSet(db) : "none";
      if (!run || !wasWritten || before !== "none") {
        settle(false);
        await run?.stop();
        return firstStartModels(db, options);
      }
      settle(true);
      try {
        const trained = await run.finished;
        logger.info({ seconds: Math.round(trained.seconds * 10) / 10, models: trained.models.map((m) => `${m.name} v${m.version}`), fromMemory: true }, "first-start models trained");
      } catch (error) {
        logger.error({ err: error }, "first-start training failed; starting without models");
      }
      return productionSet(db);
    },
  };
}
