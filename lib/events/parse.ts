import type { z } from "zod";

/**
 * Events cross process boundaries (Redis), so a reader validates their shape
 * rather than trusting it: null (and the caller logs) instead of a half-read event.
 */
export function parserFor<Schema extends z.ZodType>(schema: Schema): (payload: unknown) => z.infer<Schema> | null {
  // One bus event reaches every subscriber of its topic as the same object: it is validated
  // once, not once per subscriber (readers treat the parsed event as read-only).
  const parsed = new WeakMap<object, z.infer<Schema> | null>();
  return (payload) => {
    if (payload !== null && typeof payload === "object" && parsed.has(payload)) return parsed.get(payload)!;
    const result = schema.safeParse(payload);
    const value = result.success ? result.data : null;
    if (payload !== null && typeof payload === "object") parsed.set(payload, value);
    return value;
  };
}

/** For readers that must report why (the stream parks a message with this text). */
export function strictParserFor<Schema extends z.ZodType>(schema: Schema, what: string): (payload: unknown) => z.infer<Schema> {
  return (payload) => {
    const result = schema.safeParse(payload);
    if (result.success) return result.data;
    throw new Error(`malformed ${what}: ${result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"} ${issue.message}`).join("; ")}`);
  };
}
