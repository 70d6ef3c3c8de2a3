import type { GraphQLResolverMap } from "../../lib/graphql/resolver-map.ts";
import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import type { Experiment, ExperimentStatus } from "../../lib/db/database.ts";
import { badUserInput, notFound } from "../../lib/errors.ts";
import type { ExperimentsContext } from "./context.ts";

const EXPERIMENT_KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const resolvers: GraphQLResolverMap<ExperimentsContext> = {
  DateTime: DateTimeResolver as never,
  JSONObject: JSONObjectResolver as never,
  Query: {
    async experiments(_parent, args: { status?: ExperimentStatus | null }, context) {
      const rows = await context.runtime.db.prisma.experiment.findMany({
        where: args.status ? { status: args.status } : {},
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      });
      for (const row of rows) context.loaders.experimentByKey.prime(row.key, row);
      return rows;
    },
    async experiment(_parent, args: { key: string }, context) {
      if (!EXPERIMENT_KEY.test(args.key)) {
        throw badUserInput("key must be 1-64 lowercase letters, digits, '-' or '_'", "key");
      }
      const experiment = await context.loaders.experimentByKey.load(args.key);
      if (!experiment) throw notFound("Experiment", args.key);
      return experiment;
    },
  },
  Experiment: {
    __resolveReference: (reference: { key: string }, context: ExperimentsContext) =>
      context.loaders.experimentByKey.load(reference.key),
    variants: (experiment: Experiment, _args, context) => context.loaders.variantsByExperimentId.load(experiment.id),
  },
};
