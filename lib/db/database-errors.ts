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
