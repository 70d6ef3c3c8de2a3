import type { KeyValueCache } from "@apollo/utils.keyvaluecache";
import { GraphQLError } from "graphql";
import type { PersistedQueryMode } from "../../../lib/config/edge.ts";
import { ErrorCode } from "../../../lib/errors.ts";
import { operationId } from "../../../lib/persisted-queries/manifest.ts";
import type { TrustedDocuments } from "./manifest-file.ts";

/** A graphql-ws subscribe message's payload, as far as persisted queries are concerned. */
export interface SubscribePayload {
  /** graphql-ws requires a string: an empty one stands for "by hash alone". */
  readonly query: string;
  readonly extensions?: Readonly<Record<string, unknown>> | null;
}

const coded = (code: string, message: string) => new GraphQLError(message, { extensions: { code } });

/**
 * The persisted-query policy of HTTP operations, applied to WebSocket subscriptions
 * (which never pass the HTTP middleware): with PERSISTED_QUERIES=enforce only the
 * manifest's operations subscribe, by id or by a body whose SHA-256 is a listed id;
 * otherwise a subscription may come by hash (trusted ids, then automatically
 * persisted ones, as Apollo's APQ) and a hash sent with its body registers it.
 * Resolves with the document text to run, or throws the coded error a query would get.
 */
export function subscriptionDocuments(options: { mode: PersistedQueryMode; trusted: TrustedDocuments; store: KeyValueCache<string> }) {
  return async ({ query, extensions }: SubscribePayload): Promise<string> => {
    const persisted = extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
    const hash = typeof persisted?.sha256Hash === "string" ? persisted.sha256Hash : undefined;
    const enforced = options.mode === "enforce";
    if (query === "") {
      if (hash === undefined) return query; // nothing to run: the parser says so
      const body = await options.store.get(hash);
      if (body !== undefined) return body;
      if (enforced) throw coded(ErrorCode.PERSISTED_QUERY_NOT_IN_LIST, "Only the operations of the persisted-query list may run on this server");
      throw coded("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound");
    }
    const id = operationId(query);
    if (hash !== undefined && hash !== id) throw coded("BAD_REQUEST", "provided sha does not match query");
    if (enforced) {
      if (options.trusted.bodyOf(id) === undefined) throw coded(ErrorCode.PERSISTED_QUERY_NOT_IN_LIST, "Only the operations of the persisted-query list may run on this server");
      return query;
    }
    if (hash !== undefined) await options.store.set(id, query);
    return query;
  };
}
