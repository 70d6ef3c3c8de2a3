import type { RequestContext } from "../../lib/server/context.ts";
import { ExperimentLifecycle } from "./lifecycle.ts";
import { createExperimentLoaders, type ExperimentLoaders } from "./loaders.ts";

export interface ExperimentsContext extends RequestContext {
  loaders: ExperimentLoaders;
  lifecycle: ExperimentLifecycle;
}

export const createExperimentsContext = (base: RequestContext): ExperimentsContext => ({
  ...base,
  loaders: createExperimentLoaders(base.runtime.db.prisma),
  lifecycle: new ExperimentLifecycle(base.runtime.db.prisma, base.runtime.cache),
});
