import type { RequestHandler } from "express";
import { ErrorCode } from "../../../lib/errors.ts";
import { operationId } from "../../../lib/persisted-queries/manifest.ts";
import { sendGraphQLErrors } from "../../../lib/server/body-errors.ts";
import type { TrustedDocuments } from "./manifest-file.ts";

interface GraphQLBody {
  query?: unknown;
  extensions?: unknown;
}

/** GET carries extensions as JSON in the query string; POST as a parsed object. */
function requestedOperation(body: GraphQLBody): { hash?: string; query?: string } {
  let extensions = body.extensions;
  if (typeof extensions === "string") {
    try {
      extensions = JSON.parse(extensions);
    } catch {
      extensions = undefined;
    }
  }
  const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  return {
    ...(typeof hash === "string" ? { hash } : {}),
    ...(typeof body.query === "string" ? { query: body.query } : {}),
  };
}

/**
 * PERSISTED_QUERIES=enforce: only operations of the manifest run, sent by id or by a
 * body whose SHA-256 is one of its ids. Checked on the raw request, before Apollo
 * parses anything; everything else is PERSISTED_QUERY_NOT_IN_LIST (HTTP 400).
 */
export function trustedDocumentsOnly(trusted: TrustedDocuments): RequestHandler {
  return (request, response, next) => {
    const source = (request.method === "GET" ? request.query : request.body) as GraphQLBody | undefined;
    if (!source || typeof source !== "object" || Array.isArray(source)) {
      next();
      return;
    }
    const { hash, query } = requestedOperation(source);
    const id = query !== undefined ? operationId(query) : hash;
    if (id !== undefined && trusted.bodyOf(id) !== undefined && (hash === undefined || hash === id)) {
      next();
      return;
    }
    if (id === undefined) {
      // No operation at all: Apollo answers that as the bad request it is.
      next();
      return;
    }
    sendGraphQLErrors(request, response, 400, [
      {
        message: "Only the operations of the persisted-query list may run on this server",
        extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_IN_LIST },
      },
    ]);
  };
}
