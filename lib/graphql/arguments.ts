import { badUserInput } from "../errors.ts";

const MAX_INT4 = 2_147_483_647;

/** Database ids are positive 32-bit integers exposed as GraphQL IDs; anything else is malformed input. */
export function parseId(value: string | number, field = "id"): number {
  const text = String(value).trim();
  if (!/^\d{1,10}$/.test(text) || Number(text) < 1 || Number(text) > MAX_INT4) {
    throw badUserInput(`${field} must be a positive integer id, got ${JSON.stringify(String(value))}`, field);
  }
  return Number(text);
}

/** A page size or list limit: 0..max inclusive, so a client cannot ask for the whole table. */
export function parseLimit(value: number | null | undefined, options: { field?: string; fallback: number; max: number }): number {
  const field = options.field ?? "limit";
  if (value === null || value === undefined) return options.fallback;
  if (!Number.isInteger(value) || value < 0) throw badUserInput(`${field} must be a non-negative integer`, field);
  if (value > options.max) throw badUserInput(`${field} must be at most ${options.max}`, field);
  return value;
}
