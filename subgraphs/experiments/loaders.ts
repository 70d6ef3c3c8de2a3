import DataLoader from "dataloader";
import type { Experiment, ExperimentVariant, PrismaClient } from "../../lib/db/database.ts";

export interface ExperimentLoaders {
  experimentByKey: DataLoader<string, Experiment | null>;
  variantsByExperimentId: DataLoader<number, ExperimentVariant[]>;
}

export function createExperimentLoaders(prisma: PrismaClient): ExperimentLoaders {
  return {
    experimentByKey: new DataLoader(async (keys) => {
      const rows = await prisma.experiment.findMany({ where: { key: { in: [...keys] } } });
      const byKey = new Map(rows.map((row) => [row.key, row]));
      return keys.map((key) => byKey.get(key) ?? null);
    }),
    variantsByExperimentId: new DataLoader(async (experimentIds) => {
      const rows = await prisma.experimentVariant.findMany({
        where: { experimentId: { in: [...experimentIds] } },
        orderBy: [{ experimentId: "asc" }, { id: "asc" }],
      });
      return experimentIds.map((id) => rows.filter((row) => row.experimentId === id));
    }),
  };
}
