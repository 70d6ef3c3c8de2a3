import type { Problem } from "./fields.ts";
import { text } from "./fields.ts";

export type AgeGroup = "UNDER_18" | "AGE_18_24" | "AGE_25_34" | "AGE_35_44" | "AGE_45_54" | "AGE_55_64" | "AGE_65_PLUS";

/** Ages a reader can plausibly have; Book-Crossing holds 0 and 244 too, which are typing accidents. */
export const MIN_AGE = 5;
export const MAX_AGE = 110;

/** The users table's age group for an age as written ("NULL" and blanks mean unknown). */
export function ageGroupOf(raw: string | undefined): AgeGroup | null | Problem {
  const value = text(raw);
  if (value === null || value.toUpperCase() === "NULL") return null;
  if (!/^\d+(\.0*)?$/.test(value)) return { problem: "age is not a whole number" };
  const age = Number.parseInt(value, 10);
  if (age < MIN_AGE || age > MAX_AGE) return { problem: `impossible age (allowed ${MIN_AGE} to ${MAX_AGE})` };
  if (age < 18) return "UNDER_18";
  if (age < 25) return "AGE_18_24";
  if (age < 35) return "AGE_25_34";
  if (age < 45) return "AGE_35_44";
  if (age < 55) return "AGE_45_54";
  if (age < 65) return "AGE_55_64";
  return "AGE_65_PLUS";
}
