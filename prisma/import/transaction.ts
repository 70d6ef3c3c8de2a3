
/**
 * Whether PostgreSQL refused the data rather than failed: SQLSTATE classes 22
 * (data exception) and 23 (integrity constraint violation).
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}
