/** Fields that hold credentials or personal data: never written, at the top level or up to three objects deep (req.headers.x). */
export const SECRET_FIELDS: ReadonlySet<string> = new Set([
  "password",
  "newPassword",
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "apiKey",
  "secret",
  "authorization",
  "cookie",
  "email",
  "x-api-key",
  "x-shelfgraph-identity",
  "set-cookie",
]);

export const REDACTED = "[redacted]";
/** Objects below the logged one that are still looked into: secrets at depth 0-3, as `a.b.c.secret`. */
const NESTED_LEVELS = 3;

/**
 * The logged object with every secret field's value replaced, copied only along the
 * paths that hold one: an object without secrets (nearly every line) is returned as
 * it is, after a look at its keys. pino's own path-based redaction walked 56
 * wildcard paths on every line and every child logger, about 20 times the cost
 * of the line itself; this is what runs on every request's log line now.
 * Errors and other class instances keep their prototype (and so their message and stack).
 */
export function redactSecrets<T>(value: T, level = 0): T {
  if (value === null || typeof value !== "object") return value;
  let copy: Record<string, unknown> | unknown[] | undefined;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const field = source[key];
    let replacement = field;
    if (SECRET_FIELDS.has(key)) replacement = REDACTED;
    else if (level < NESTED_LEVELS && field !== null && typeof field === "object") replacement = redactSecrets(field, level + 1);
    if (replacement === field) continue;
    copy ??= shallowCopy(value);
    (copy as Record<string, unknown>)[key] = replacement;
  }
  return (copy ?? value) as T;
}

function shallowCopy(value: object): Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return [...value];
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === Object.prototype || prototype === null) return { ...(value as Record<string, unknown>) };
  return Object.create(prototype, Object.getOwnPropertyDescriptors(value)) as Record<string, unknown>;
}
