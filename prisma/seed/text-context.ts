import type { Faker } from "@faker-js/faker";
import type { Random } from "./random.ts";

/** What every text generator draws from: faker for names and places, the PRNG for choices among our own lists. */
export interface TextContext {
  readonly faker: Faker;
  readonly random: Random;
}

/** Fills {placeholders}; a missing one is a programming error, so it throws instead of printing "{name}". */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template placeholder {${key}} has no value`);
    return value;
  });
}
