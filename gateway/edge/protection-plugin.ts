import type { ApolloServerPlugin } from "@apollo/server";
import { ErrorCode, rateLimited, requestRefused } from "../../lib/errors.ts";
import { rateLimitRejections } from "../../lib/metrics/index.ts";
import type { GatewayContext } from "../context.ts";
import type { OperationLimits } from "./operation-limits/limits.ts";
import { measuredOperations } from "./operation-limits/measured-operations.ts";
import { rateLimitIdentityOf } from "./rate-limit/identity-of.ts";
import { rateLimitKey } from "./rate-limit/identity.ts";
import type { RateLimiter } from "./rate-limit/limiter.ts";

export interface ProtectionOptions {
  limits: OperationLimits;
  limiter: RateLimiter;
  ratePerMinute: number;
  /** Cost that one unit of the rate limit buys. */
  costPerUnit: number;
}

/**
 * The edge's checks, in the order they must run, all before the query planner
 * sees the operation (tokens are bounded by the parser itself, `parseOptions.maxTokens`): an operation that resolves
 * (a known operationName), the structural limits and the cost; then the caller's
 * rate, charged by that cost.
 */
export function protectionPlugin(options: ProtectionOptions): ApolloServerPlugin<GatewayContext> {
  const { limits, limiter } = options;
  const checkOperation = measuredOperations(limits);
  return {
    async requestDidStart({ contextValue }) {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) throw unresolvedOperation(request.operationName);
          // @apollo/gateway cannot execute one: refused here as the client's mistake, not failed as a server error.
          if (operation.operation === "subscription") {
            throw requestRefused("BAD_REQUEST", "Subscriptions are served over WebSocket (graphql-ws) on this same URL, not over HTTP", 400);
          }
          const cost = checkOperation({ schema, document, operation, variables: request.variables });
          const identity = rateLimitIdentityOf(contextValue);
          const units = Math.ceil(cost / options.costPerUnit);
          const decision = await limiter.consume(rateLimitKey(identity), units, identity.limitPerMinute ?? options.ratePerMinute);
          if (!decision.allowed) {
            rateLimitRejections.inc({ scope: identity.kind });
            const error = rateLimited(`Rate limit of ${decision.limit} per minute exceeded; retry in ${decision.retryAfterSeconds} s`, {
              limit: decision.limit,
              retryAfterSeconds: decision.retryAfterSeconds,
              http: { status: 429, headers: new Map([["retry-after", String(decision.retryAfterSeconds)]]) },
            });
            throw error;
          }
        },
        async willSendResponse({ response }) {
          // A request whose whole answer is the client's bad input (no data at all) is a client error, 400.
          if (response.body.kind !== "single") return;
          const { data, errors } = response.body.singleResult;
          if (data == null && errors?.length && errors.every((error) => error.extensions?.code === ErrorCode.BAD_USER_INPUT)) {
            response.http.status ??= 400;
          }
        },
      };
    },
  };
}

/** An operationName the document does not define (or none given for several operations): the client's mistake, 400. */
function unresolvedOperation(operationName: string | undefined) {
  return requestRefused(
    "BAD_REQUEST",
    operationName
      ? `The document has no operation named ${JSON.stringify(operationName)}`
      : "The document has several operations: name the one to run with operationName",
    400,
  );
}
