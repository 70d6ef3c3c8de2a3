import type { Database, SqlConnection, SqlDatabase } from "../../lib/db/database.ts";
import type { ModelChangedEvent as BusModelChangedEvent } from "../../lib/events/model-changed.ts";
import { isModelName, type ModelName } from "../../lib/models/model-names.ts";
import { inTransaction } from "../../lib/db/transaction.ts";
import { removeVersion, verifyVersion } from "./artifacts.ts";

export type ModelStatus = "CANDIDATE" | "PRODUCTION" | "ARCHIVED";

export interface ModelVersionRow {
  readonly id: number;
  readonly name: string;
  readonly version: number;
  readonly status: ModelStatus;
  readonly hyperparameters: Record<string, unknown>;
  readonly metrics: Record<string, unknown>;
  readonly artifactPath: string;
  readonly sha256: string;
  readonly trainRows: number;
  readonly testRows: number;
  readonly userCount: number;
  readonly itemCount: number;
  readonly trainedAt: Date;
  readonly promotedAt: Date | null;
}

/** What a training run registers; the registry assigns the id, status and promotion time. */
export type NewModelVersion = Omit<ModelVersionRow, "id" | "status" | "promotedAt">;

export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegistryError";
  }
}

/** Published on Topics.MODEL_CHANGED after a promotion or rollback is committed (lib's event, plus context). */
export interface ModelChangedEvent extends BusModelChangedEvent {
  readonly artifactPath: string;
  readonly reason: "promoted" | "rolled-back";
}

export type Publish = (event: ModelChangedEvent) => Promise<void>;

const COLUMNS = `id, name, version, status::text AS status, hyperparameters, metrics, artifact_path, sha256,
  train_rows, test_rows, user_count, item_count, trained_at, promoted_at`;

function toRow(raw: Record<string, unknown>): ModelVersionRow {
  const json = (value: unknown) => (typeof value === "string" ? (JSON.parse(value) as Record<string, unknown>) : (value as Record<string, unknown>));
  return {
    id: Number(raw.id),
    name: raw.name as string,
    version: Number(raw.version),
    status: raw.status as ModelStatus,
    hyperparameters: json(raw.hyperparameters),
    metrics: json(raw.metrics),
    artifactPath: raw.artifact_path as string,
    sha256: (raw.sha256 as string).trim(),
    trainRows: Number(raw.train_rows),
    testRows: Number(raw.test_rows),
    userCount: Number(raw.user_count),
    itemCount: Number(raw.item_count),
    trainedAt: new Date(raw.trained_at as string),
    promotedAt: raw.promoted_at ? new Date(raw.promoted_at as string) : null,
  };
}

/**
 * Versions of the quick set `npm start` trains on a fresh install (ml-models/pipeline/first-start-set.ts):
 * stand-ins that the first full run replaces whatever their metrics, never kept beside a full set.
 */
export function isFirstStartVersion(row: Pick<ModelVersionRow, "hyperparameters">): boolean {
  return row.hyperparameters.firstStart === true;
}

/** Production versions of the first-start set no full run has replaced yet, archived (the caller owns the transaction). */
export async function archiveFirstStartVersions(connection: SqlConnection): Promise<string[]> {
  const rows = await connection.query<{ name: string }>(
    `UPDATE model_versions SET status = 'ARCHIVED' WHERE status = 'PRODUCTION' AND hyperparameters->>'firstStart' = 'true' RETURNING name`,
  );
  return rows.map((row) => row.name);
}

export async function listVersions(db: SqlDatabase | SqlConnection, name?: string): Promise<ModelVersionRow[]> {
  const sql = `SELECT ${COLUMNS} FROM model_versions ${name ? "WHERE name = $1" : ""} ORDER BY name, version DESC`;
  const run = (connection: SqlConnection) => connection.query(sql, name ? [name] : []);
  const rows = "withConnection" in db ? await db.withConnection(run) : await run(db);
  return rows.map(toRow);
}

export async function productionVersion(connection: SqlDatabase | SqlConnection, name: string): Promise<ModelVersionRow | undefined> {
  return (await listVersions(connection, name)).find((row) => row.status === "PRODUCTION");
}

export async function nextVersion(connection: SqlConnection, name: string): Promise<number> {
  const [row] = await connection.query<{ next: number }>("SELECT coalesce(max(version), 0) + 1 AS next FROM model_versions WHERE name = $1", [name]);
  return Number(row?.next ?? 1);
}

export async function insertVersion(connection: SqlConnection, entry: NewModelVersion): Promise<ModelVersionRow> {
  const [row] = await connection.query(
    `INSERT INTO model_versions (name, version, status, hyperparameters, metrics, artifact_path, sha256, train_rows, test_rows, user_count, item_count, trained_at)
     VALUES ($1, $2, 'CANDIDATE', $3::jsonb, $4::jsonb, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
    [
      entry.name,
      entry.version,
      JSON.stringify(entry.hyperparameters),
      JSON.stringify(entry.metrics),
      entry.artifactPath,
      entry.sha256,
      entry.trainRows,
      entry.testRows,
      entry.userCount,
      entry.itemCount,
      entry.trainedAt.toISOString(),
    ],
  );
  return toRow(row!);
}

/** Makes `version` production and archives the previous production version of the same model. */
export async function setProduction(connection: SqlConnection, name: string, version: number): Promise<void> {
  await connection.query(`UPDATE model_versions SET status = 'ARCHIVED' WHERE name = $1 AND status = 'PRODUCTION' AND version <> $2`, [name, version]);
  const updated = await connection.query(
    `UPDATE model_versions SET status = 'PRODUCTION', promoted_at = now() WHERE name = $1 AND version = $2 RETURNING id`,
    [name, version],
  );
  if (updated.length === 0) throw new RegistryError(`${name} v${version} does not exist`);
}

/**
 * Keeps, per model, the production version and the newest `keep` versions, plus
 * every component version a kept hybrid blends; deletes the other rows and returns
 * their artifact paths. The caller removes the files once the transaction has
 * committed, so a rollback never points at deleted files.
 */
export async function pruneVersions(connection: SqlConnection, keep: number): Promise<string[]> {
  const rows = (await connection.query(`SELECT ${COLUMNS} FROM model_versions ORDER BY name, version DESC`)).map(toRow);
  const kept = new Set<number>();
  const seen = new Map<string, number>();
  for (const row of rows) {
    const rank = seen.get(row.name) ?? 0;
    seen.set(row.name, rank + 1);
    if (row.status === "PRODUCTION" || rank < keep) kept.add(row.id);
  }
  for (const hybrid of rows.filter((row) => row.name === "hybrid" && kept.has(row.id))) {
    const components = (hybrid.hyperparameters.componentVersions ?? {}) as Record<string, number>;
    for (const [name, version] of Object.entries(components)) {
      const component = rows.find((row) => row.name === name && row.version === version);
      if (component) kept.add(component.id);
    }
  }
  const doomed = rows.filter((row) => !kept.has(row.id));
  if (doomed.length === 0) return [];
  await connection.query(`DELETE FROM model_versions WHERE id = ANY($1::int[])`, [doomed.map((row) => row.id)]);
  return doomed.map((row) => row.artifactPath);
}

export async function removeArtifacts(paths: readonly string[]): Promise<void> {
  for (const path of paths) await removeVersion(path);
}

/**
 * `models promote NAME VERSION`: checks the version's files against its sha256
 * first, so a corrupt artifact is refused and production stays as it was.
 */
export async function promote(db: Database, name: string, version: number, publish?: Publish): Promise<ModelVersionRow> {
  const model = knownModel(name);
  const target = (await listVersions(db, name)).find((row) => row.version === version);
  if (!target) throw new RegistryError(`${name} v${version} is not in the registry`);
  if (target.status === "PRODUCTION") throw new RegistryError(`${name} v${version} is already in production`);
  await verifyVersion(target.artifactPath, target.sha256);
  await inTransaction(db, (connection) => setProduction(connection, name, version));
  await publish?.({ name: model, version, artifactPath: target.artifactPath, reason: "promoted" });
  return (await listVersions(db, name)).find((row) => row.version === version)!;
}

/**
 * `models rollback NAME`: production goes back to the version that was in
 * production before it (the latest previously promoted, still registered one).
 */
export async function rollback(db: Database, name: string, publish?: Publish): Promise<ModelVersionRow> {
  const model = knownModel(name);
  const versions = await listVersions(db, name);
  const current = versions.find((row) => row.status === "PRODUCTION");
  if (!current) throw new RegistryError(`${name} has no production version to roll back`);
  const previous = versions
    .filter((row) => row.version !== current.version && row.promotedAt !== null)
    .sort((a, b) => b.promotedAt!.getTime() - a.promotedAt!.getTime())[0];
  if (!previous) throw new RegistryError(`${name} has no earlier production version to roll back to`);
  await verifyVersion(previous.artifactPath, previous.sha256);
  await inTransaction(db, async (connection) => {
    await connection.query(`UPDATE model_versions SET status = 'ARCHIVED' WHERE name = $1 AND version = $2`, [name, current.version]);
    // promoted_at is refreshed so a second rollback steps further back instead of returning here.
    await setProduction(connection, name, previous.version);
    await connection.query(`UPDATE model_versions SET promoted_at = NULL WHERE name = $1 AND version = $2`, [name, current.version]);
  });
  await publish?.({ name: model, version: previous.version, artifactPath: previous.artifactPath, reason: "rolled-back" });
  return (await listVersions(db, name)).find((row) => row.version === previous.version)!;
}

function knownModel(name: string): ModelName {
  if (!isModelName(name)) throw new RegistryError(`unknown model ${JSON.stringify(name)}`);
  return name;
}
