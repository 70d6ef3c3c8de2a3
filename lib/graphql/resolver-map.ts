import type { GraphQLFieldResolver, GraphQLScalarType } from "graphql";

/**
 * The resolver map a subgraph hands to `buildSubgraphSchema`, typed by its context.
 * @apollo/subgraph accepts this shape but exports its type only from an internal
 * path (dist/schema-helper), which breaks on upgrades; this is the same structure
 * over graphql's public types, and it is assignable to what buildSubgraphSchema takes.
 */
export interface GraphQLResolverMap<TContext = object> {
  [typeName: string]:
    | {
        [fieldName: string]:
          | GraphQLFieldResolver<any, TContext>
          | { requires?: string; resolve?: GraphQLFieldResolver<any, TContext>; subscribe?: GraphQLFieldResolver<any, TContext> };
      }
    | GraphQLScalarType
    | { [enumValue: string]: string | number };
}
