import { authExchange } from "@urql/exchange-auth";
import { persistedExchange } from "@urql/exchange-persisted";
import { Client, fetchExchange, subscriptionExchange, type Operation } from "@urql/core";
import { createClient as createWsClient } from "graphql-ws";
import { currentSession, expiresSoon, saveSession, sessionFrom, type AuthPayload } from "../session.ts";
import { persistedId, RefreshSession } from "./operations.ts";

const httpUrl = new URL("/graphql", window.location.href).toString();
const wsUrl = httpUrl.replace(/^http/, "ws");

const operationName = (operation: Operation): string | undefined =>
  operation.query.definitions.find((d) => d.kind === "OperationDefinition")?.name?.value;

/** Subscriptions authenticate once, in connection_init; a new session reconnects with the new token. */
const ws = createWsClient({
  url: wsUrl,
  lazy: true,
  retryAttempts: Infinity,
  connectionParams: () => {
    const session = currentSession();
    return session ? { Authorization: `Bearer ${session.accessToken}` } : {};
  },
});

async function refresh(): Promise<void> {
  const session = currentSession();
  if (!session) return;
  const response = await fetch(httpUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: RefreshSession,
      operationName: "RefreshSession",
      variables: { refreshToken: session.refreshToken },
      extensions: { persistedQuery: { version: 1, sha256Hash: persistedId("RefreshSession") } },
    }),
  });
  const result = (await response.json()) as { data?: { refreshSession?: AuthPayload } };
  // A refresh token that was rotated away or revoked ends the session: sign in again.
  saveSession(result.data?.refreshSession ? sessionFrom(result.data.refreshSession) : null);
}

export const client = new Client({
  url: httpUrl,
  requestPolicy: "network-only",
  exchanges: [
    authExchange(async (utils) => ({
      addAuthToOperation(operation) {
        const session = currentSession();
        return session ? utils.appendHeaders(operation, { Authorization: `Bearer ${session.accessToken}` }) : operation;
      },
      willAuthError() {
        const session = currentSession();
        return session !== null && expiresSoon(session);
      },
      didAuthError: (error) => error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED"),
      refreshAuth: refresh,
    })),
    // Trusted documents: the ids are the manifest's; a production build never sends a body.
    persistedExchange({
      generateHash: async (_query, document) => persistedId(operationName({ query: document } as Operation)) ?? null,
      enforcePersistedQueries: import.meta.env.MODE === "production",
      enableForMutation: true,
      preferGetForPersistedQueries: false,
    }),
    fetchExchange,
    subscriptionExchange({
      forwardSubscription: (request) => ({
        subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink) }),
      }),
    }),
  ],
});

/** After signing in or out, subscriptions must re-authenticate. */
export function reconnectSubscriptions(): void {
  ws.terminate();
}
