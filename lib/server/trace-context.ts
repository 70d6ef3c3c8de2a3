import { randomFillSync } from "node:crypto";

/** W3C Trace Context (https://www.w3.org/TR/trace-context/): version-traceid-parentid-flags. */
export const TRACEPARENT_HEADER = "traceparent";

export interface TraceContext {
  /** 32 hex digits, the same on every hop of one request. */
  readonly traceId: string;
  /** 16 hex digits: the caller's span, which this hop's spans are children of. */
  readonly parentId: string;
  /** "01" when the caller sampled the trace. */
  readonly flags: string;
}

const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/** A valid incoming traceparent, or undefined (malformed, all-zero ids, or the forbidden version ff). */
export function parseTraceparent(value: string | string[] | undefined): TraceContext | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  const match = header ? TRACEPARENT_PATTERN.exec(header.trim().toLowerCase()) : null;
  if (!match) return undefined;
  const [, version, traceId, parentId, flags] = match as unknown as [string, string, string, string, string];
  if (version === "ff" || /^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  // Version 00 has exactly four fields; a later version may append more, which we ignore.
  if (version === "00" && header!.trim().length !== 55) return undefined;
  return { traceId, parentId, flags };
}

/**
 * Random bytes drawn a pool at a time, as crypto.randomUUID does: every request takes
 * two or three ids, and one randomBytes call per id (into OpenSSL, a new Buffer each) was about 2 %
 * of the gateway's CPU on small queries.
 */
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomPool = randomFillSync(Buffer.allocUnsafe(RANDOM_POOL_BYTES));
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomPool.toString("hex", randomOffset - bytes, randomOffset);
}

export const newSpanId = () => randomHex(8);

/** The trace a request continues, or a new one when the caller sent none. */
export function continueTrace(incoming: TraceContext | undefined): TraceContext {
  return incoming ?? { traceId: randomHex(16), parentId: newSpanId(), flags: "00" };
}

/** The header for a call made on behalf of this trace: same trace id, a new span id for the outgoing hop. */
export function traceparentFor(trace: Pick<TraceContext, "traceId" | "flags">, spanId = newSpanId()): string {
  return `00-${trace.traceId}-${spanId}-${trace.flags}`;
}
