import type { Role, Viewer } from "./viewer.ts";

/**
 * Who a request comes from, as the gateway established it from a verified
 * credential. It is the one description of a caller every edge concern reads
 * (authorisation in the subgraphs, rate limiting, logging), so it carries what
 * they need and nothing about how the credential looked.
 *
 * - `user`: a reader or administrator, from a Shelfgraph access token (sign-in or
 *   `npm run token`) or an external OIDC provider's token.
 * - `apiKey`: a partner calling with `x-api-key`; it acts as no reader and may only
 *   do what its scopes allow, within its own `rateLimitPerMinute`.
 * - `anonymous`: no credential; rate limits then apply per client address.
 *
 * A credential that was sent but does not verify never becomes `anonymous`: the
 * request is refused UNAUTHENTICATED before it is planned.
 */
export type Identity = UserIdentity | ApiKeyIdentity | AnonymousIdentity;
export type IdentityKind = Identity["kind"];

export interface UserIdentity {
  readonly kind: "user";
  /** The user's id as a string, stable across credentials of the same user. */
  readonly id: string;
  readonly userId: number;
  readonly role: Role;
  /** Users act through their role, not scopes; empty, kept for a uniform shape. */
  readonly scopes: readonly string[];
  /** The sign-in session (refresh-token family) the access token belongs to; absent for operator and OIDC tokens. */
  readonly sessionId?: string;
}

export interface ApiKeyIdentity {
  readonly kind: "apiKey";
  /** The key's id as a string (never the key itself). */
  readonly id: string;
  readonly apiKeyId: number;
  /** The partner's name for the key, for logs. */
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
  /** This key's own limit, which replaces the global per-caller RATE_LIMIT_PER_MINUTE. */
  readonly rateLimitPerMinute: number;
}

export interface AnonymousIdentity {
  readonly kind: "anonymous";
  readonly id: null;
  readonly scopes: readonly string[];
}

/**
 * What a partner key may be granted beyond what is public (the catalogue, similar
 * books, trending lists, readers' public profiles: README "Security"). A key acts
 * as no reader, so reader-only, self-only and admin-only fields stay closed to it.
 */
export const API_KEY_SCOPES = [
  /** Introspect the schema, also in production. */
  "introspection",
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
export const isApiKeyScope = (value: string): value is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(value);

export const ANONYMOUS: AnonymousIdentity = Object.freeze({ kind: "anonymous", id: null, scopes: Object.freeze([]) });

export function userIdentity(viewer: Viewer, sessionId?: string): UserIdentity {
  return { kind: "user", id: String(viewer.userId), userId: viewer.userId, role: viewer.role, scopes: [], ...(sessionId ? { sessionId } : {}) };
}

/** The reader a request acts as, or null for partners and anonymous callers. */
export const viewerOf = (identity: Identity): Viewer | null =>
  identity.kind === "user" ? { userId: identity.userId, role: identity.role } : null;

export const hasScope = (identity: Identity, scope: ApiKeyScope): boolean =>
  identity.kind === "apiKey" && identity.scopes.includes(scope);

/**
 * A stable key naming the caller for per-caller limits and logs ("user:42",
 * "apiKey:7"), or null for anonymous callers, whom the caller of this function
 * tells apart by client address.
 */
export const callerKey = (identity: Identity): string | null => (identity.kind === "anonymous" ? null : `${identity.kind}:${identity.id}`);
