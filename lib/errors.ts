import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { clientDataError } from "./db/database-errors.ts";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailableError } from "./db/database-errors.ts";
import type { Logger } from "./logger.ts";

/**
 * Stable `extensions.code` values. Clients switch on these, so they never change
 * meaning; messages may be reworded freely.
 */
export const ErrorCode = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "RATE_LIMITED",
  QUERY_TOO_COMPLEX: "QUERY_TOO_COMPLEX",
  PERSISTED_QUERY_NOT_IN_LIST: "PERSISTED_QUERY_NOT_IN_LIST",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const EXPOSED_CODES = new Set<string>([
  // INTERNAL_SERVER_ERROR is what Apollo stamps on every unexpected error: never passed through as is.
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
  // Apollo Server's own request-level codes are safe to pass through.
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

function codedError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

export const badUserInput = (message: string, field?: string) =>
  codedError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
export const notFound = (entity: string, id: string | number) =>
  codedError(ErrorCode.NOT_FOUND, `${entity} ${JSON.stringify(String(id))} was not found`, { entity, id: String(id) });
export const unauthenticated = (message = "You must be signed in") => codedError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = "You are not allowed to do this") => codedError(ErrorCode.FORBIDDEN, message);
export const conflict = (message: string) => codedError(ErrorCode.CONFLICT, message);
export const rateLimited = (message: string, extensions: Record<string, unknown> = {}) =>
  codedError(ErrorCode.RATE_LIMITED, message, extensions);
/** A whole request refused before execution, with the HTTP status (and headers) its answer carries. */
export const requestRefused = (
  code: ErrorCode | "BAD_REQUEST",
  message: string,
  status: number,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) => new GraphQLError(message, { extensions: { code, ...extensions, http: { status, headers: new Map(Object.entries(headers)) } } });
export const serviceUnavailable = (message: string, extensions: Record<string, unknown> = {}) =>
  codedError(ErrorCode.SERVICE_UNAVAILABLE, message, extensions);

/**
 * Apollo `formatError`: errors we raised on purpose keep their code and message;
 * a database that cannot be reached is SERVICE_UNAVAILABLE and retryable (logged
 * once per outage by the database-outage plugin, not here per error); anything
 * else (a bug) is logged in full and reaches the client only as an opaque
 * INTERNAL_SERVER_ERROR, never with a stack trace.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const tokenLimit = tokenLimitOf(formatted);
    if (tokenLimit !== undefined) return tooManyTokens(tokenLimit);
    // First: Apollo has already coded such an error INTERNAL_SERVER_ERROR, with the driver's text as its message.
    if (isDatabaseUnavailableError(unwrapResolverError(error))) {
      return {
        message: DATABASE_UNAVAILABLE_MESSAGE,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryable: true },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === "string" && EXPOSED_CODES.has(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const cause = unwrapResolverError(error);
    const dataError = clientDataError(cause);
    if (dataError) {
      return {
        message: dataError.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: dataError.extensions,
      };
    }
    logger.error({ err: cause, path: formatted.path }, "unexpected error while resolving");
    return {
      message: "Internal server error",
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/**
 * graphql-js's parser stops at `maxTokens` (the gateway's MAX_QUERY_TOKENS) with a
 * syntax error; to the client that is an operation over a limit like any other.
 */
const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more th(?:an|at) (\d+) tokens/;

function tokenLimitOf(formatted: GraphQLFormattedError): number | undefined {
  if (formatted.extensions?.code !== "GRAPHQL_PARSE_FAILED") return undefined;
  const match = TOKEN_LIMIT_MESSAGE.exec(formatted.message);
  return match ? Number(match[1]) : undefined;
}

const tooManyTokens = (maximum: number): GraphQLFormattedError => ({
  message: `The operation's number of tokens is more than ${maximum}, above the limit of ${maximum}`,
  // The parser stops counting one token past the limit.
  extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit: "tokens", maximum, measured: maximum + 1 },
});
