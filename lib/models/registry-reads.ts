import type { PrismaClient } from "../db/database.ts";
import { isModelName, type ModelName } from "./model-names.ts";

/** A model_versions row as serving needs it. */
export interface RegisteredVersion {
  readonly name: ModelName;
  readonly version: number;
  readonly artifactPath: string;
  readonly sha256: string;
  readonly hyperparameters: Record<string, unknown>;
  readonly itemCount: number;
}

const select = { name: true, version: true, artifactPath: true, sha256: true, hyperparameters: true, itemCount: true } as const;

function toRegistered(row: { name: string; version: number; artifactPath: string; sha256: string; hyperparameters: unknown; itemCount: number }): RegisteredVersion | null {
  if (!isModelName(row.name)) return null;
  const hyperparameters = typeof row.hyperparameters === "object" && row.hyperparameters !== null ? (row.hyperparameters as Record<string, unknown>) : {};
  return { ...row, name: row.name, hyperparameters };
}

/** The production version of every model (the newest promoted, should there be several). */
export async function productionVersions(prisma: PrismaClient): Promise<RegisteredVersion[]> {
  const rows = await prisma.modelVersion.findMany({
    where: { status: "PRODUCTION" },
    orderBy: [{ name: "asc" }, { promotedAt: { sort: "desc", nulls: "last" } }, { version: "desc" }],
    select,
  });
  const newest = new Map<string, RegisteredVersion>();
  for (const row of rows) {
    const registered = toRegistered(row);
    if (registered && !newest.has(registered.name)) newest.set(registered.name, registered);
  }
  return [...newest.values()];
}

export async function registeredVersion(prisma: PrismaClient, name: ModelName, version: number): Promise<RegisteredVersion | null> {
  const row = await prisma.modelVersion.findUnique({ where: { name_version: { name, version } }, select });
  return row ? toRegistered(row) : null;
}
