import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { DateTimeResolver } from "graphql-scalars";
import { notFound } from "../../lib/errors.ts";
import { parseId } from "../../lib/graphql/arguments.ts";
import type { UsersContext } from "./context.ts";

export const resolvers: GraphQLResolverMap<UsersContext> = {
  DateTime: DateTimeResolver as never,
  Query: {
    async user(_parent, args: { id: string }, context) {
      const id = parseId(args.id);
      const user = await context.loaders.userById.load(id);
      if (!user) throw notFound("User", id);
      return user;
    },
    async me(_parent, _args, context) {
      // The permission rule guarantees a viewer; a token for a deleted user finds nobody.
      const viewer = context.viewer!;
      const user = await context.loaders.userById.load(viewer.userId);
      if (!user) throw notFound("User", viewer.userId);
      return user;
    },
  },
  User: {
    async __resolveReference(reference: { id: string }, context: UsersContext) {
      return context.loaders.userById.load(parseId(reference.id));
    },
  },
};
