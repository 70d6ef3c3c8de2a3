import type { RequestContext } from "../../lib/server/context.ts";
import { createExperimentLoaders, type ExperimentLoaders } from "./loaders.ts";

export interface ExperimentsContext extends RequestContext {
  loaders: ExperimentLoaders;
}

export const createExperimentsContext = (base: RequestContext): ExperimentsContext => ({
  ...base,
  loaders: createExperimentLoaders(base.runtime.db.prisma),
});
