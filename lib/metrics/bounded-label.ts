/**
 * Label values that come from clients (operation names) must not grow the series
 * count without bound: sane names are kept until `limit` distinct ones were seen,
 * anything after that, or anything malformed, is reported as "other".
 */
export function boundedLabel(limit: number): (value: string | null | undefined, fallback?: string) => string {
  const seen = new Set<string>();
  return (value, fallback = "anonymous") => {
    if (!value) return fallback;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(value)) return "other";
    if (seen.has(value)) return value;
    if (seen.size >= limit) return "other";
    seen.add(value);
    return value;
  };
}
