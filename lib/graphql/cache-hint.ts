import type { CacheHint } from "./operation-cache-policy.ts";

/** The part of a request's overall cache policy (Apollo's `overallCachePolicy`) a resolver may narrow. */
export interface RestrictablePolicy {
  restrict(hint: CacheHint): void;
}

/**
 * Each request's overall cache policy, by its context object, while it executes.
 * Subgraphs work their policy out per operation (lib/server/plugins/operation-cache-control.ts)
 * rather than field by field, so a resolver's dynamic hint goes to the request's policy.
 */
const requestPolicies = new WeakMap<object, RestrictablePolicy>();

export function trackRequestCachePolicy(context: object, policy: RestrictablePolicy): void {
  requestPolicies.set(context, policy);
}

/**
 * Marks the answer being resolved as not cacheable downstream (max-age 0): the gateway
 * then neither caches it nor sends a public Cache-Control.
 */
export function doNotCache(context: object): void {
  requestPolicies.get(context)?.restrict({ maxAge: 0 });
}
