import type { GatewayContext } from "../../context.ts";
import type { RateLimitIdentity } from "./identity.ts";

/** The verified identity at the edge, as the limiter counts it: the reader, else the address. */
export function rateLimitIdentityOf(context: GatewayContext): RateLimitIdentity {
  if (context.viewer) return { kind: "user", id: String(context.viewer.userId) };
  return { kind: "ip", id: context.clientAddress };
}
