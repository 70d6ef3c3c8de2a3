import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Config } from "../lib/config.ts";
import { viewerFromAuthorization } from "../lib/auth/tokens.ts";
import { ANONYMOUS, userIdentity, viewerOf, type Identity } from "../lib/auth/identity.ts";
import type { Viewer } from "../lib/auth/viewer.ts";
import type { Logger } from "../lib/logger.ts";
import { acceptableRequestId, AUTHORIZATION_HEADER, REQUEST_ID_HEADER } from "../lib/server/headers.ts";

export interface GatewayContext {
  requestId: string;
  /** The caller's verified bearer token, forwarded so each subgraph can authorise on its own. */
  authorization: string | undefined;
  /** Who is calling, verified once here (lib/auth/identity.ts): what rate limiting and logging key on. */
  identity: Identity;
  /** The reader the request acts as: `identity` when it is a user, else null. */
  viewer: Viewer | null;
  logger: Logger;
}

/** Verifies the token at the edge (bad tokens never reach a subgraph) and assigns the request id. */
export async function createGatewayContext(config: Config, logger: Logger, headers: IncomingHttpHeaders): Promise<GatewayContext> {
  const requestId = acceptableRequestId(headers[REQUEST_ID_HEADER]) ?? randomUUID();
  const authorization = headers[AUTHORIZATION_HEADER];
  const verified = await viewerFromAuthorization(config, authorization);
  const identity: Identity = verified ? userIdentity(verified) : ANONYMOUS;
  return {
    requestId,
    authorization: verified ? authorization : undefined,
    identity,
    viewer: viewerOf(identity),
    logger: logger.child({ requestId }),
  };
}
