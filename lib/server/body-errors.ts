import type { ErrorRequestHandler, Request, Response } from "express";
import { ErrorCode } from "../errors.ts";

/** body-parser's failures, by its `type`: what the client sent wrong, and the status that says so. */
const BODY_FAILURES: Record<string, { status: number; code: string; message: string }> = {
  "entity.parse.failed": { status: 400, code: "BAD_REQUEST", message: "The request body is not valid JSON" },
  "entity.too.large": { status: 413, code: "BAD_REQUEST", message: "The request body is too large" },
  "encoding.unsupported": { status: 415, code: "BAD_REQUEST", message: "The request body's encoding is not supported" },
  "charset.unsupported": { status: 415, code: "BAD_REQUEST", message: "The request body's charset is not supported" },
  "request.aborted": { status: 400, code: "BAD_REQUEST", message: "The request was aborted" },
};

/**
 * Answers a body that cannot be read (malformed JSON, too large) the way every other
 * GraphQL error is answered, a JSON `errors` array with a code, instead of Express's
 * HTML error page.
 */
export const graphQLBodyErrors: ErrorRequestHandler = (error, request, response, next) => {
  const type = (error as { type?: unknown }).type;
  const failure = typeof type === "string" ? BODY_FAILURES[type] : undefined;
  if (!failure || response.headersSent) {
    next(error);
    return;
  }
  sendGraphQLErrors(request, response, failure.status, [{ message: failure.message, extensions: { code: failure.code } }]);
};

const GRAPHQL_RESPONSE_JSON = "application/graphql-response+json";

/**
 * A request-level GraphQL error answered outside Apollo, in the media type the client
 * asked for (GraphQL over HTTP: clients that accept application/graphql-response+json
 * read 4xx bodies only in it; older ones get application/json).
 */
export function sendGraphQLErrors(
  request: Request,
  response: Response,
  status: number,
  errors: { message: string; extensions: { code: string } & Record<string, unknown> }[],
): void {
  const type = request.accepts(["application/json", GRAPHQL_RESPONSE_JSON]) === GRAPHQL_RESPONSE_JSON ? GRAPHQL_RESPONSE_JSON : "application/json";
  response.status(status).type(`${type}; charset=utf-8`).send(JSON.stringify({ errors }));
}

/** The last resort on /graphql: nothing internal reaches the client, and the answer is still GraphQL JSON. */
export const graphQLUnexpectedErrors: ErrorRequestHandler = (error, request, response, next) => {
  if (response.headersSent) {
    next(error);
    return;
  }
  sendGraphQLErrors(request, response, 500, [{ message: "Internal server error", extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }]);
};
