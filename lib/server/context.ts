import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { ANONYMOUS, viewerOf, type Identity } from "../auth/identity.ts";
import { IDENTITY_HEADER } from "../auth/internal-identity.ts";
import type { Viewer } from "../auth/viewer.ts";
import type { Logger } from "../logger.ts";
import type { Runtime } from "../runtime.ts";
import { acceptableRequestId, REQUEST_ID_HEADER } from "./headers.ts";
import { startRequestSpan, type Span, type Tracer } from "../tracing/spans.ts";
import { parseTraceparent, TRACEPARENT_HEADER, type TraceContext } from "./trace-context.ts";
import { verifiedIdentities } from "./verified-identities.ts";

/** What every resolver in every service can rely on. Subgraphs extend it with their DataLoaders. */
export interface RequestContext {
  requestId: string;
  /** Who is calling, as the gateway verified it (lib/auth/internal-identity.ts). */
  identity: Identity;
  /** The reader the request acts as; null for partners (API keys) and anonymous callers. */
  viewer: Viewer | null;
  /** The gateway's W3C trace (a subgraph called directly starts its own). */
  trace: TraceContext;
  /** This request's span when tracing is on (lib/tracing), a child of the gateway's fetch span. */
  span?: Span;
  logger: Logger;
  runtime: Runtime;
}

/** One remembered verifier per INTERNAL_SECRET (a process serves one; tests may start several). */
const verifiers = new Map<string, ReturnType<typeof verifiedIdentities>>();
function verifierFor(secret: string): ReturnType<typeof verifiedIdentities> {
  let verifier = verifiers.get(secret);
  if (!verifier) verifiers.set(secret, (verifier = verifiedIdentities(secret)));
  return verifier;
}

/** Subgraphs trust only the gateway's signed identity header; a forged or stale one is treated as no identity at all. */
export async function createRequestContext(runtime: Runtime, headers: IncomingHttpHeaders, tracer?: Tracer): Promise<RequestContext> {
  const requestId = acceptableRequestId(headers[REQUEST_ID_HEADER]) ?? randomUUID();
  const { trace, span } = startRequestSpan(tracer, parseTraceparent(headers[TRACEPARENT_HEADER]), { "shelfgraph.service": runtime.logger.bindings().subgraph ?? "subgraph", "shelfgraph.request_id": requestId });
  const logger = runtime.logger.child({ requestId, traceId: trace.traceId });
  let identity = verifierFor(runtime.config.INTERNAL_SECRET)(headers[IDENTITY_HEADER]);
  if (identity === null) {
    logger.warn("ignoring an identity header that does not verify (not from the gateway, or expired)");
    identity = ANONYMOUS;
  }
  return { requestId, identity, viewer: viewerOf(identity), trace, span, logger, runtime };
}
