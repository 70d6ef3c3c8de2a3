import type { GatewayContext } from "../../context.ts";
import type { RateLimitIdentity } from "./identity.ts";

/**
 * The verified identity at the edge (lib/auth/identity.ts), as the limiter counts
 * it: the reader, the partner key with its own allowance, else the address.
 */
export function rateLimitIdentityOf(context: GatewayContext): RateLimitIdentity {
  const { identity } = context;
  if (identity.kind === "user") return { kind: "user", id: identity.id };
  if (identity.kind === "apiKey") return { kind: "apiKey", id: identity.id, limitPerMinute: identity.rateLimitPerMinute };
  return { kind: "ip", id: context.clientAddress };
}
