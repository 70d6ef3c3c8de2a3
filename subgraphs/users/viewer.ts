import type { Viewer } from "../../lib/auth/viewer.ts";
import { unauthenticated } from "../../lib/errors.ts";
import type { RequestContext } from "../../lib/server/context.ts";

/** The signed-in user. Permissions already require one; this keeps resolvers honest without a `!`. */
export function requireViewer(context: RequestContext): Viewer {
  if (!context.viewer) throw unauthenticated();
  return context.viewer;
}
