import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { viewerFromAuthorization } from "../auth/tokens.ts";
import type { Viewer } from "../auth/viewer.ts";
import type { Logger } from "../logger.ts";
import type { Runtime } from "../runtime.ts";
import { acceptableRequestId, AUTHORIZATION_HEADER, REQUEST_ID_HEADER } from "./headers.ts";
import { continueTrace, parseTraceparent, TRACEPARENT_HEADER, type TraceContext } from "./trace-context.ts";

/** What every resolver in every service can rely on. Subgraphs extend it with their DataLoaders. */
export interface RequestContext {
  requestId: string;
  viewer: Viewer | null;
  /** The gateway's W3C trace (a subgraph called directly starts its own). */
  trace: TraceContext;
  logger: Logger;
  runtime: Runtime;
}

export async function createRequestContext(runtime: Runtime, headers: IncomingHttpHeaders): Promise<RequestContext> {
  const requestId = acceptableRequestId(headers[REQUEST_ID_HEADER]) ?? randomUUID();
  const viewer = await viewerFromAuthorization(runtime.config, headers[AUTHORIZATION_HEADER]);
  const trace = continueTrace(parseTraceparent(headers[TRACEPARENT_HEADER]));
  return { requestId, viewer, trace, logger: runtime.logger.child({ requestId, traceId: trace.traceId }), runtime };
}
