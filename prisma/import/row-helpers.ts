import type { FileReport } from "./report.ts";

/** Positions of `names` in a header; the caller has checked they are all there. */
export function indexes<const Names extends readonly string[]>(columns: ReadonlyMap<string, number>, ...names: Names): { [K in keyof Names]: number } {
  return names.map((name) => {
    const index = columns.get(name);
    if (index === undefined) throw new Error(`column ${name} is not in the header`);
    return index;
  }) as { [K in keyof Names]: number };
}

/** Reports the row as skipped; returns null so a reader can `return skip(...)`. */
export function skip(file: FileReport, line: number, reason: string): null {
  file.skip(line, reason);
  return null;
}
