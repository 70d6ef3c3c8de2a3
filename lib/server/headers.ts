/** The header the gateway sets on every subgraph request beside the signed identity (lib/auth/internal-identity.ts). */
export const REQUEST_ID_HEADER = "x-request-id";

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client-supplied request id is kept for tracing only when it is a sane token. */
export function acceptableRequestId(value: string | string[] | undefined): string | undefined {
  const candidate = Array.isArray(value) ? value[0] : value;
  return candidate && REQUEST_ID_PATTERN.test(candidate) ? candidate : undefined;
}
