import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { serviceUnavailable } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { CLIENT_IDENTITY_HEADERS, IDENTITY_HEADER, signIdentityHeader } from "../lib/auth/internal-identity.ts";
import { REQUEST_ID_HEADER } from "../lib/server/headers.ts";
import type { GatewayContext } from "./context.ts";
import { subgraphFetcher } from "./subgraph-fetcher.ts";

/** What a data source answers, as @apollo/gateway's public API declares it (the interface package is not a dependency of ours). */
type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource["process"]>>;

/**
 * How the gateway talks to one subgraph: it sends the caller's verified identity,
 * signed (lib/auth/internal-identity.ts), and the request id, bounds each fetch by a timeout, and turns an unreachable subgraph
 * into a coded error on that part of the response instead of failing the rest.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraphName: string,
    url: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly internalSecret: string,
  ) {
    super({ url });
    this.fetcher = subgraphFetcher(this.timeoutMs) as unknown as typeof this.fetcher;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !("requestId" in context)) return;
    for (const name of CLIENT_IDENTITY_HEADERS) headers.delete(name);
    headers.set(REQUEST_ID_HEADER, context.requestId);
    headers.set(IDENTITY_HEADER, signIdentityHeader(this.internalSecret, context.identity));
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
