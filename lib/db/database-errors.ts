import { GraphQLError } from "graphql";
import { ErrorCode } from "../errors.ts";

/**
 * What the database said went wrong, by SQLSTATE, found wherever the driver stack
 * put it: Prisma's known-request error (`meta.driverAdapterError.cause.originalCode`),
 * a bare DriverAdapterError (`cause.originalCode`), or a node-postgres error (`code`).
 */
export function sqlStateOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const candidate = current as {
      originalCode?: unknown;
      code?: unknown;
      meta?: { driverAdapterError?: unknown };
      cause?: unknown;
    };
    if (typeof candidate.originalCode === "string" && SQLSTATE.test(candidate.originalCode)) return candidate.originalCode;
    if (typeof candidate.code === "string" && SQLSTATE.test(candidate.code) && !candidate.code.startsWith("P")) return candidate.code;
    current = candidate.meta?.driverAdapterError ?? candidate.cause;
  }
  return undefined;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Messages for the data exceptions a client's input causes; nothing of the SQL or the driver. */
const DATA_EXCEPTIONS: Record<string, string> = {
  "22021": "The input contains bytes that are not valid text (such as a NUL character)",
  "22P02": "The input has a value in the wrong format",
  "22003": "The input has a number out of range",
  "22001": "The input has a value that is too long",
  "22007": "The input has an invalid date or time",
  "22008": "The input has a date or time out of range",
  "22012": "The input leads to a division by zero",
  "2201B": "The input has an invalid regular expression",
  "22025": "The input has an invalid escape sequence",
};

/**
 * A database failure the client caused with its input (SQLSTATE class 22, "data
 * exception": bad bytes, out-of-range numbers, malformed values) as BAD_USER_INPUT;
 * undefined for anything else, which stays an internal error.
 */
export function clientDataError(error: unknown): GraphQLError | undefined {
  const state = sqlStateOf(error);
  if (!state?.startsWith("22")) return undefined;
  return new GraphQLError(DATA_EXCEPTIONS[state] ?? "The input has a value the database cannot accept", {
    extensions: { code: ErrorCode.BAD_USER_INPUT, sqlState: state },
  });
}

/**
 * Which database failures a client may be told about, and how. A database that
 * cannot be reached (refused, restarting, terminated our session, pool exhausted)
 * is a temporary condition of the service: the client sees SERVICE_UNAVAILABLE
 * with `retryable: true`, never the driver's text (which names hosts and files).
 *
 * The error arrives wrapped differently depending on the path it took: a Prisma
 * error carrying the driver adapter's cause, a raw `pg` error from a held
 * connection, a Node socket error, or any of those as the `cause` of another.
 */

/** SQLSTATEs of a server going away: class 08 (connection exception) and 57P0x (operator intervention). */
const UNAVAILABLE_SQLSTATES = new Set([
  "08000", // connection_exception
  "08001", // sqlclient_unable_to_establish_sqlconnection
  "08003", // connection_does_not_exist
  "08004", // sqlserver_rejected_establishment_of_sqlconnection
  "08006", // connection_failure
  "08007", // transaction_resolution_unknown
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, recovering)
  "53300", // too_many_connections
]);
// 08P01 (protocol_violation) is left out on purpose: PostgreSQL raises it for a NUL
// byte in a query parameter, which is bad input, not an outage.

/** Prisma's codes for an unreachable server, a lost connection, a pool timeout. */
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);

/** The Prisma driver adapter's kinds for the same conditions. */
const UNAVAILABLE_ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

const UNAVAILABLE_SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED"]);

/** `pg` reports these without a code. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /Client has encountered a connection error and is not queryable/,
  /^Connection ended unexpectedly/,
  // Prisma's interactive transaction could not get a connection in time (pool exhausted or server gone).
  /Unable to start a transaction in the given time/,
];

interface ErrorLike {
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
  errors?: unknown;
  originalError?: unknown;
}

/** The error itself and everything it wraps (cause chains, aggregate errors, Prisma's adapter error), depth-limited. */
function* causes(error: unknown, depth = 0): Generator<ErrorLike> {
  if (depth > 8 || typeof error !== "object" || error === null) return;
  const candidate = error as ErrorLike;
  yield candidate;
  yield* causes(candidate.cause, depth + 1);
  yield* causes(candidate.meta?.driverAdapterError, depth + 1);
  yield* causes(candidate.originalError, depth + 1);
  if (Array.isArray(candidate.errors)) for (const inner of candidate.errors) yield* causes(inner, depth + 1);
}

function isUnavailableCause(cause: ErrorLike): boolean {
  const code = typeof cause.code === "string" ? cause.code : undefined;
  if (code && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_PRISMA_CODES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code))) return true;
  if (typeof cause.kind === "string" && UNAVAILABLE_ADAPTER_KINDS.has(cause.kind)) return true;
  const message = typeof cause.message === "string" ? cause.message : "";
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}

/** True when `error` (or anything it wraps) means the database cannot be reached right now: retrying later may succeed. */
export function isDatabaseUnavailableError(error: unknown): boolean {
  for (const cause of causes(error)) if (isUnavailableCause(cause)) return true;
  return false;
}

/** What the client reads for such an error: no host, port, file or driver text. */
export const DATABASE_UNAVAILABLE_MESSAGE = "The service's database is temporarily unavailable; retry shortly";
