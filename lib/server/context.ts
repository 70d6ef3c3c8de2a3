import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { ANONYMOUS, viewerOf, type Identity } from "../auth/identity.ts";
import { identityFromHeader, IDENTITY_HEADER } from "../auth/internal-identity.ts";
import type { Viewer } from "../auth/viewer.ts";
import type { Logger } from "../logger.ts";
import type { Runtime } from "../runtime.ts";
import { acceptableRequestId, REQUEST_ID_HEADER } from "./headers.ts";

/** What every resolver in every service can rely on. Subgraphs extend it with their DataLoaders. */
export interface RequestContext {
  requestId: string;
  /** Who is calling, as the gateway verified it (lib/auth/internal-identity.ts). */
  identity: Identity;
  /** The reader the request acts as; null for partners (API keys) and anonymous callers. */
  viewer: Viewer | null;
  logger: Logger;
  runtime: Runtime;
}

/** Subgraphs trust only the gateway's signed identity header; a forged or stale one is treated as no identity at all. */
export async function createRequestContext(runtime: Runtime, headers: IncomingHttpHeaders): Promise<RequestContext> {
  const requestId = acceptableRequestId(headers[REQUEST_ID_HEADER]) ?? randomUUID();
  const logger = runtime.logger.child({ requestId });
  let identity = identityFromHeader(runtime.config.INTERNAL_SECRET, headers[IDENTITY_HEADER]);
  if (identity === null) {
    logger.warn("ignoring an identity header that does not verify (not from the gateway, or expired)");
    identity = ANONYMOUS;
  }
  return { requestId, identity, viewer: viewerOf(identity), logger, runtime };
}
