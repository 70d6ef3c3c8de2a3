import type { GraphQLResolveInfo } from "graphql";

/**
 * Marks the field being resolved as not cacheable downstream (max-age 0): the gateway
 * then neither caches the answer nor sends a public Cache-Control. Apollo Server puts
 * `cacheControl` on the resolve info; the type lives in a package we do not depend on.
 */
export function doNotCache(info: GraphQLResolveInfo): void {
  (info as GraphQLResolveInfo & { cacheControl?: { setCacheHint(hint: { maxAge: number }): void } }).cacheControl?.setCacheHint({ maxAge: 0 });
}
