import DataLoader from "dataloader";
import type { Experiment, ExperimentVariant, PrismaClient } from "../../lib/db/database.ts";

export interface ExperimentLoaders {
  experimentByKey: DataLoader<string, Experiment | null>;
  experimentById: DataLoader<number, Experiment | null>;
  variantsByExperimentId: DataLoader<number, ExperimentVariant[]>;
  variantById: DataLoader<number, ExperimentVariant | null>;
}

export function createExperimentLoaders(prisma: PrismaClient): ExperimentLoaders {
  return {
    experimentByKey: new DataLoader(async (keys) => {
      const rows = await prisma.experiment.findMany({ where: { key: { in: [...keys] } } });
      const byKey = new Map(rows.map((row) => [row.key, row]));
      return keys.map((key) => byKey.get(key) ?? null);
    }),
    experimentById: new DataLoader(async (ids) => {
      const rows = await prisma.experiment.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    variantsByExperimentId: new DataLoader(async (experimentIds) => {
      const rows = await prisma.experimentVariant.findMany({
        where: { experimentId: { in: [...experimentIds] } },
        orderBy: [{ experimentId: "asc" }, { id: "asc" }],
      });
      return experimentIds.map((id) => rows.filter((row) => row.experimentId === id));
    }),
    variantById: new DataLoader(async (ids) => {
      const rows = await prisma.experimentVariant.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
