import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { serviceUnavailable } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { CREDENTIALS_REVOKED_HEADER, parseCredentialsRevokedHeader, type CredentialRevokedEvent } from "../lib/auth/credential-revoked.ts";
import type { Identity } from "../lib/auth/identity.ts";
import { CLIENT_IDENTITY_HEADERS, IDENTITY_HEADER, signIdentityHeader } from "../lib/auth/internal-identity.ts";
import { subgraphFetchDuration } from "../lib/metrics/index.ts";
import { REQUEST_ID_HEADER } from "../lib/server/headers.ts";
import { TRACEPARENT_HEADER, traceparentFor } from "../lib/server/trace-context.ts";
import { endSpan, SpanKind, startChildSpan, type Span, type Tracer } from "../lib/tracing/spans.ts";
import type { GatewayContext } from "./context.ts";
import { subgraphFetcher } from "./subgraph-fetcher.ts";

/** What a data source answers, as @apollo/gateway's public API declares it (the interface package is not a dependency of ours). */
type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource["process"]>>;

/**
 * A signed identity header is valid for a minute (lib/auth/internal-identity.ts); one
 * is reused for this long, so every fetch still arrives with most of its validity left.
 * The same identity object (ANONYMOUS, a cached token's reader) then costs one HMAC per
 * interval instead of one per subgraph fetch, and subgraphs see a header they have verified before.
 */
const SIGNED_IDENTITY_REUSE_MS = 20_000;
/** Each fetch's span (tracing on), found again when its headers are written: the subgraph's request span becomes its child. */
const fetchSpans = new WeakMap<object, Span>();

const signedIdentities = new WeakMap<Identity, { secret: string; header: string; signedAt: number }>();

function identityHeaderFor(secret: string, identity: Identity): string {
  const now = Date.now();
  const signed = signedIdentities.get(identity);
  if (signed && signed.secret === secret && now - signed.signedAt < SIGNED_IDENTITY_REUSE_MS) return signed.header;
  const header = signIdentityHeader(secret, identity);
  signedIdentities.set(identity, { secret, header, signedAt: now });
  return header;
}

/**
 * How the gateway talks to one subgraph: it sends the caller's verified identity,
 * signed (lib/auth/internal-identity.ts), and the request id, bounds each fetch by a timeout, and turns an unreachable subgraph
 * into a coded error on that part of the response instead of failing the rest.
 */
export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  timeoutMs: number;
  logger: Logger;
  internalSecret: string;
  tracer?: Tracer;
  /** Credentials a subgraph's answer says it revoked (lib/auth/credential-revoked.ts), forgotten before the answer is forwarded. */
  onCredentialsRevoked?(events: CredentialRevokedEvent[]): void;
}

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly subgraphName: string;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly internalSecret: string;
  private readonly tracer?: Tracer;
  private readonly onCredentialsRevoked?: (events: CredentialRevokedEvent[]) => void;

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url });
    this.subgraphName = options.name;
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger;
    this.internalSecret = options.internalSecret;
    this.tracer = options.tracer;
    this.onCredentialsRevoked = options.onCredentialsRevoked;
    this.fetcher = subgraphFetcher(this.timeoutMs) as unknown as typeof this.fetcher;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !("requestId" in context)) return;
    for (const name of CLIENT_IDENTITY_HEADERS) headers.delete(name);
    headers.set(REQUEST_ID_HEADER, context.requestId);
    const span = fetchSpans.get(request);
    headers.set(TRACEPARENT_HEADER, span ? traceparentFor(context.trace, span.spanContext().spanId) : traceparentFor(context.trace));
    headers.set(IDENTITY_HEADER, identityHeaderFor(this.internalSecret, context.identity));
  }

  override didReceiveResponse({ response }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>["didReceiveResponse"]>>[0]): GatewayGraphQLResponse {
    const revoked = response.http?.headers.get(CREDENTIALS_REVOKED_HEADER);
    if (revoked && this.onCredentialsRevoked) this.onCredentialsRevoked(parseCredentialsRevokedHeader(revoked));
    return response;
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const stopTimer = subgraphFetchDuration.startTimer({ subgraph: this.subgraphName });
    const parent = (options.context as Partial<GatewayContext>).span;
    const span = this.tracer && parent
      ? startChildSpan(this.tracer, parent, `fetch ${this.subgraphName}`, SpanKind.CLIENT, { "shelfgraph.subgraph": this.subgraphName, "server.address": this.url ?? "" })
      : undefined;
    if (span) fetchSpans.set(options.request, span);
    try {
      const response = await super.process(options);
      const outcome = response.errors?.length ? "error" : "success";
      stopTimer({ outcome });
      if (span) endSpan(span, outcome);
      return response;
    } catch (error) {
      stopTimer({ outcome: "unavailable" });
      if (span) endSpan(span, "unavailable", (error as Error).message);
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
