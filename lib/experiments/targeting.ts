import { z } from "zod";

/** A reader is NEW for this long after registering. */
export const NEW_READER_DAYS = 30;

/** Who may enter an experiment; every given condition must hold, an empty targeting admits everyone. */
export const targetingSchema = z
  .object({
    segments: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
    readers: z.enum(["NEW", "RETURNING"]).optional(),
    countries: z
      .array(z.string().trim().regex(/^[A-Za-z]{2}$/, "must be ISO 3166-1 alpha-2 codes").transform((code) => code.toUpperCase()))
      .max(250)
      .optional(),
  })
  .strict();

export type Targeting = z.infer<typeof targetingSchema>;

export interface ReaderProfile {
  segment: string | null;
  country: string | null;
  registeredAt: Date;
}

export function matchesTargeting(targeting: Targeting, reader: ReaderProfile, now: Date): boolean {
  if (targeting.segments?.length && (!reader.segment || !targeting.segments.includes(reader.segment))) return false;
  if (targeting.countries?.length && (!reader.country || !targeting.countries.includes(reader.country.trim().toUpperCase()))) return false;
  if (targeting.readers) {
    const isNew = now.getTime() - reader.registeredAt.getTime() < NEW_READER_DAYS * 86_400_000;
    if ((targeting.readers === "NEW") !== isNew) return false;
  }
  return true;
}

/** Targeting stored in the database, read defensively: an unreadable one admits nobody rather than everybody. */
export function storedTargeting(value: unknown): Targeting | null {
  const parsed = targetingSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : null;
}
