import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Config } from "../lib/config.ts";
import { viewerFromAuthorization } from "../lib/auth/tokens.ts";
import type { Viewer } from "../lib/auth/viewer.ts";
import type { Logger } from "../lib/logger.ts";
import { acceptableRequestId, AUTHORIZATION_HEADER, REQUEST_ID_HEADER } from "../lib/server/headers.ts";

export interface GatewayContext {
  requestId: string;
  /** The caller's verified bearer token, forwarded so each subgraph can authorise on its own. */
  authorization: string | undefined;
  viewer: Viewer | null;
  /** The caller's IP address (through TRUST_PROXY_HOPS proxies): whom an anonymous call is counted against. */
  clientAddress: string;
  logger: Logger;
}

/** Verifies the token at the edge (bad tokens never reach a subgraph) and assigns the request id. */
export async function createGatewayContext(
  config: Config,
  logger: Logger,
  headers: IncomingHttpHeaders,
  clientAddress = "unknown",
): Promise<GatewayContext> {
  const requestId = acceptableRequestId(headers[REQUEST_ID_HEADER]) ?? randomUUID();
  const authorization = headers[AUTHORIZATION_HEADER];
  const viewer = await viewerFromAuthorization(config, authorization);
  return { requestId, authorization: viewer ? authorization : undefined, viewer, clientAddress, logger: logger.child({ requestId }) };
}
