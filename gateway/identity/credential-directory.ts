import { LRUCache } from "lru-cache";
import { CREDENTIAL_LOOKUP_PATH, signLookupRequest, type ApiKeyRecord, type CredentialLookupRequest, type CredentialLookupResponse } from "../../lib/auth/credential-lookup.ts";
import { CREDENTIAL_REVOKED_TOPIC, parseCredentialRevoked, type CredentialRevokedEvent } from "../../lib/auth/credential-revoked.ts";
import type { Logger } from "../../lib/logger.ts";
import type { EventBus } from "../../lib/pubsub.ts";

export interface CredentialDirectoryOptions {
  /** The users subgraph's GraphQL URL; the lookup route is on the same server. */
  usersUrl: string;
  internalSecret: string;
  /** How long an answer is reused; 0 asks the users subgraph on every request. */
  cacheSeconds: number;
  timeoutMs: number;
  pubsub: EventBus;
  logger: Logger;
}

export interface CredentialDirectory {
  apiKey(apiKeyHash: string): Promise<ApiKeyRecord | null>;
  sessionActive(sessionId: string): Promise<boolean>;
  /** Drops what is cached about a revoked credential: its next use is asked again. */
  forget(event: CredentialRevokedEvent): void;
  close(): Promise<void>;
}

/**
 * The gateway's view of API keys and sign-in sessions, which the users subgraph
 * owns. Answers are cached for CREDENTIAL_CACHE_SECONDS (concurrent requests for
 * one key share one lookup) and dropped as soon as a revocation is published, or
 * before the revoking response is forwarded (gateway/subgraph-data-source.ts).
 */
export async function createCredentialDirectory(options: CredentialDirectoryOptions): Promise<CredentialDirectory> {
  const url = new URL(CREDENTIAL_LOOKUP_PATH, options.usersUrl);

  async function ask(request: CredentialLookupRequest): Promise<CredentialLookupResponse> {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ request: signLookupRequest(options.internalSecret, request) }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (!response.ok) throw new Error(`credential lookup answered HTTP ${response.status}`);
    return (await response.json()) as CredentialLookupResponse;
  }

  // Wrapped so a "no such key" answer is cached too (LRUCache does not keep undefined).
  type Entry = { value: ApiKeyRecord | null | boolean };
  const cache = new LRUCache<string, Entry>({
    max: 10_000,
    ttl: Math.max(options.cacheSeconds, 0) * 1000 || 1,
    fetchMethod: async (key) => {
      const [kind, id] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
      const answer = await ask(kind === "apiKey" ? { apiKeyHash: id } : { sessionId: id });
      return { value: "apiKey" in answer ? answer.apiKey : answer.session.active };
    },
  });
  const lookup = async (key: string) => {
    const entry = options.cacheSeconds > 0 ? await cache.fetch(key) : await cache.fetch(key, { forceRefresh: true });
    return entry!.value;
  };

  const forget = (event: CredentialRevokedEvent) => {
    cache.delete(event.kind === "apiKey" ? `apiKey:${event.apiKeyHash}` : `session:${event.sessionId}`);
    options.logger.debug({ kind: event.kind }, "credential revoked: dropped from the gateway's cache");
  };
  const subscription = await options.pubsub.subscribe(CREDENTIAL_REVOKED_TOPIC, (payload: unknown) => {
    const event = parseCredentialRevoked(payload);
    if (event) forget(event);
  }, {});

  return {
    apiKey: async (apiKeyHash) => (await lookup(`apiKey:${apiKeyHash}`)) as ApiKeyRecord | null,
    sessionActive: async (sessionId) => (await lookup(`session:${sessionId}`)) === true,
    forget,
    async close() {
      options.pubsub.unsubscribe(subscription);
      cache.clear();
    },
  };
}
