import type { z } from "zod";

/**
 * Events cross process boundaries (Redis), so a reader validates their shape
 * rather than trusting it: null (and the caller logs) instead of a half-read event.
 */
export function parserFor<Schema extends z.ZodType>(schema: Schema): (payload: unknown) => z.infer<Schema> | null {
  return (payload) => {
    const result = schema.safeParse(payload);
    return result.success ? result.data : null;
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
