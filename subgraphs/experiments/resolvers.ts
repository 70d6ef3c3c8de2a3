import type { GraphQLResolverMap } from "../../lib/graphql/resolver-map.ts";
import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import type { Experiment, ExperimentAssignment, ExperimentStatus, ExperimentVariant } from "../../lib/db/database.ts";
import { notFound, unauthenticated } from "../../lib/errors.ts";
import { parseId } from "../../lib/graphql/arguments.ts";
import { storedTargeting } from "../../lib/experiments/targeting.ts";
import type { ExperimentsContext } from "./context.ts";
import { trackEvents, type TrackEventInput } from "./event-tracking.ts";
import { validKey, type CreateExperimentInput, type ExperimentFieldsInput } from "./experiment-input.ts";
import { experimentResults } from "./results.ts";

type UserEntity = { id: number };

function viewerId(context: ExperimentsContext): number {
  if (!context.viewer) throw unauthenticated();
  return context.viewer.userId;
}

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
      const experiment = await context.loaders.experimentByKey.load(validKey(args.key));
      if (!experiment) throw notFound("Experiment", args.key);
      return experiment;
    },
  },
  Mutation: {
    createExperiment: (_root, args: { input: CreateExperimentInput }, context) => context.lifecycle.create(args.input),
    updateExperiment: (_root, args: { key: string; input: ExperimentFieldsInput }, context) => context.lifecycle.update(args.key, args.input),
    startExperiment: (_root, args: { key: string }, context) => context.lifecycle.start(args.key),
    pauseExperiment: (_root, args: { key: string }, context) => context.lifecycle.pause(args.key),
    completeExperiment: (_root, args: { key: string }, context) => context.lifecycle.complete(args.key),
    async trackEvent(_root, args: { input: TrackEventInput }, context) {
      return (await trackEvents(context.runtime.db.prisma, viewerId(context), [args.input], () => "input")) > 0;
    },
    trackEvents: (_root, args: { inputs: TrackEventInput[] }, context) =>
      trackEvents(context.runtime.db.prisma, viewerId(context), args.inputs, (i) => `inputs[${i}]`),
  },
  Experiment: {
    __resolveReference: (reference: { key: string }, context: ExperimentsContext) => context.loaders.experimentByKey.load(reference.key),
    variants: (experiment: Experiment, _args, context) => context.loaders.variantsByExperimentId.load(experiment.id),
    targeting: (experiment: Experiment) => storedTargeting(experiment.targeting) ?? {},
    results: (experiment: Experiment, args: { cuped?: boolean | null; sequential?: boolean | null }, context) =>
      experimentResults(experiment, { cuped: args.cuped ?? true, sequential: args.sequential ?? true }, context),
  },
  Variant: {
    config: (variant: ExperimentVariant) => (variant.config && typeof variant.config === "object" && !Array.isArray(variant.config) ? variant.config : {}),
  },
  Assignment: {
    experiment: (assignment: ExperimentAssignment, _args, context) => context.loaders.experimentById.load(assignment.experimentId),
    variant: (assignment: ExperimentAssignment, _args, context) => context.loaders.variantById.load(assignment.variantId),
  },
  User: {
    __resolveReference: (reference: { id: string }): UserEntity => ({ id: parseId(reference.id) }),
    async assignment(user: UserEntity, args: { experimentKey: string }, context) {
      const experiment = await context.loaders.experimentByKey.load(validKey(args.experimentKey, "experimentKey"));
      if (!experiment) throw notFound("Experiment", args.experimentKey);
      return context.runtime.db.prisma.experimentAssignment.findUnique({ where: { experimentId_userId: { experimentId: experiment.id, userId: user.id } } });
    },
    experiments: (user: UserEntity, _args, context) =>
      context.runtime.db.prisma.experimentAssignment.findMany({ where: { userId: user.id }, orderBy: [{ assignedAt: "desc" }, { id: "desc" }] }),
  },
};
