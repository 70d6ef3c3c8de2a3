import type { ApolloServerPlugin } from "@apollo/server";
import {
  CREDENTIALS_REVOKED_HEADER,
  formatCredentialsRevokedHeader,
  publishCredentialRevoked,
  type CredentialRevokedEvent,
} from "../../../lib/auth/credential-revoked.ts";
import type { Runtime } from "../../../lib/runtime.ts";
import type { UsersContext } from "../context.ts";

/**
 * Tells every gateway a credential is no longer good: the one forwarding this request
 * through the response header (before its client sees the answer), every other one
 * through pub/sub. `revoked` is the request's list; background revocations have none.
 */
export async function announceRevoked(runtime: Runtime, event: CredentialRevokedEvent, revoked?: CredentialRevokedEvent[]): Promise<void> {
  revoked?.push(event);
  await publishCredentialRevoked(runtime.pubsub, event);
}

/** Writes the request's revoked credentials into the response header the gateway reads. */
export function revokedCredentialsHeaderPlugin(): ApolloServerPlugin<UsersContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (contextValue.revokedCredentials.length === 0) return;
          response.http.headers.set(CREDENTIALS_REVOKED_HEADER, formatCredentialsRevokedHeader(contextValue.revokedCredentials));
        },
      };
    },
  };
}
