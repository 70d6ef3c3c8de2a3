import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { viewerOf, type Identity } from "../lib/auth/identity.ts";
import type { Viewer } from "../lib/auth/viewer.ts";
import type { Logger } from "../lib/logger.ts";
import { acceptableRequestId, REQUEST_ID_HEADER } from "../lib/server/headers.ts";
import { parseTraceparent, TRACEPARENT_HEADER, type TraceContext } from "../lib/server/trace-context.ts";
import { endSpan, startRequestSpan, type Span, type Tracer } from "../lib/tracing/spans.ts";
import type { Authenticate } from "./identity/authenticate.ts";

export interface GatewayContext {
  requestId: string;
  /**
   * Who is calling, verified once here (lib/auth/identity.ts): what rate limiting
   * and logging key on, and what subgraphs receive in the signed identity header.
   */
  identity: Identity;
  /** The reader the request acts as: `identity` when it is a user, else null. */
  viewer: Viewer | null;
  /** The caller's W3C trace, continued (or a new one): every subgraph call carries it on. */
  trace: TraceContext;
  /** This request's span when tracing is on (lib/tracing): the parent of every subgraph fetch span. */
  span?: Span;
  /** The caller's IP address (through TRUST_PROXY_HOPS proxies): whom an anonymous call is counted against. */
  clientAddress: string;
  logger: Logger;
}

/** Verifies the credential at the edge (bad ones never reach a subgraph) and assigns the request id. */
export async function createGatewayContext(
  authenticate: Authenticate,
  logger: Logger,
  headers: IncomingHttpHeaders,
  clientAddress = "unknown",
  tracer?: Tracer,
): Promise<GatewayContext> {
  const requestId = acceptableRequestId(headers[REQUEST_ID_HEADER]) ?? randomUUID();
  const { trace, span } = startRequestSpan(tracer, parseTraceparent(headers[TRACEPARENT_HEADER]), { "shelfgraph.service": "gateway", "shelfgraph.request_id": requestId });
  const requestLogger = logger.child({ requestId, traceId: trace.traceId });
  let identity: Identity;
  try {
    identity = await authenticate(headers, requestLogger);
  } catch (error) {
    // Rejected before any operation runs (a bad credential): the span ends here with the error's code.
    if (span) endSpan(span, "error", String((error as { extensions?: { code?: unknown } }).extensions?.code ?? (error as Error).message));
    throw error;
  }
  return { requestId, identity, viewer: viewerOf(identity), trace, span, clientAddress, logger: requestLogger };
}
