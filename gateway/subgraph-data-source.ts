import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { serviceUnavailable } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { AUTHORIZATION_HEADER, REQUEST_ID_HEADER } from "../lib/server/headers.ts";
import type { GatewayContext } from "./context.ts";

/** What a data source answers, as @apollo/gateway's public API declares it (the interface package is not a dependency of ours). */
type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource["process"]>>;

/**
 * How the gateway talks to one subgraph: it forwards the caller's token and the
 * request id, bounds each fetch by a timeout, and turns an unreachable subgraph
 * into a coded error on that part of the response instead of failing the rest.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraphName: string,
    url: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {
    super({ url });
    this.fetcher = ((input: string, init?: RequestInit) =>
      fetch(input, { ...init, signal: AbortSignal.timeout(this.timeoutMs) })) as unknown as typeof this.fetcher;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !("requestId" in context)) return;
    headers.set(REQUEST_ID_HEADER, context.requestId);
    if (context.authorization) headers.set(AUTHORIZATION_HEADER, context.authorization);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      const context = options.context as Partial<GatewayContext>;
      (context.logger ?? this.logger).warn({ err: error, subgraph: this.subgraphName }, "subgraph request failed");
      const timedOut = (error as Error).name === "TimeoutError" || /aborted|timeout/i.test((error as Error).message);
      const message = timedOut
        ? `The ${this.subgraphName} service did not answer in time`
        : `The ${this.subgraphName} service is unavailable`;
      return { errors: [serviceUnavailable(message, { serviceName: this.subgraphName }).toJSON()] } as GatewayGraphQLResponse;
    }
  }
}
