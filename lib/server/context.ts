import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { viewerFromAuthorization } from "../auth/tokens.ts";
import type { Viewer } from "../auth/viewer.ts";
import type { Logger } from "../logger.ts";
import type { Runtime } from "../runtime.ts";
import { acceptableRequestId, AUTHORIZATION_HEADER, REQUEST_ID_HEADER } from "./headers.ts";

/** What every resolver in every service can rely on. Subgraphs extend it with their DataLoaders. */
export interface RequestContext {
  requestId: string;
  viewer: Viewer | null;
  logger: Logger;
  runtime: Runtime;
}

export async function createRequestContext(runtime: Runtime, headers: IncomingHttpHeaders): Promise<RequestContext> {
  const requestId = acceptableRequestId(headers[REQUEST_ID_HEADER]) ?? randomUUID();
  const viewer = await viewerFromAuthorization(runtime.config, headers[AUTHORIZATION_HEADER]);
  return { requestId, viewer, logger: runtime.logger.child({ requestId }), runtime };
}
