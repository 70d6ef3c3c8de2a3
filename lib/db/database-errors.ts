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
