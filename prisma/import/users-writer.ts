import type { SqlConnection } from "../../lib/db/database.ts";
import { emptyBatchResult, type BatchWriter } from "./batch.ts";
import type { UserRecord } from "./records.ts";

/** Who imported users are: their dataset, and the name they are shown under (they have no other). */
export interface UserSource {
  /** `users.source`, e.g. "goodbooks". */
  readonly source: string;
  /** e.g. "Goodbooks reader" → "Goodbooks reader 58". */
  readonly displayNamePrefix: string;
  /** registered_at of users the dataset gives no date for. */
  readonly registeredAt: number;
}

export const displayNameOf = (users: UserSource, externalId: string) => `${users.displayNamePrefix} ${externalId}`;

/** What a user created by the import is stored with, beyond its key and name. */
export interface NewUser {
  readonly registeredAt: number;
  readonly ageGroup?: string | null;
  readonly country?: string | null;
}

/**
 * Ids of the users of `externalIds`, creating the ones not stored yet (a rating is
 * enough to know a reader exists) with what `describe` says of them.
 */
export async function ensureUsers(
  connection: SqlConnection,
  users: UserSource,
  externalIds: Iterable<string>,
  describe: (externalId: string) => NewUser = () => ({ registeredAt: users.registeredAt }),
): Promise<{ ids: Map<string, number>; created: Set<string> }> {
  const wanted = [...new Set(externalIds)];
  const ids = new Map<string, number>();
  const created = new Set<string>();
  if (wanted.length === 0) return { ids, created };
  const select = (keys: string[]) =>
    connection.query<{ id: number; external_id: string }>("SELECT id, external_id FROM users WHERE source = $1 AND external_id = ANY($2::text[])", [users.source, keys]);
  for (const row of await select(wanted)) ids.set(row.external_id, row.id);
  const missing = wanted.filter((externalId) => !ids.has(externalId));
  if (missing.length === 0) return { ids, created };
  const described = missing.map(describe);
  const rows = await connection.query<{ id: number; external_id: string }>(
    `INSERT INTO users (source, external_id, display_name, registered_at, age_group, country)
     SELECT $1, external_id, display_name, to_timestamp(registered_ms / 1000.0), age_group::"AgeGroup", country
     FROM unnest($2::text[], $3::text[], $4::float8[], $5::text[], $6::text[]) AS t(external_id, display_name, registered_ms, age_group, country)
     ON CONFLICT (source, external_id) DO NOTHING
     RETURNING id, external_id`,
    [
      users.source,
      missing,
      missing.map((externalId) => displayNameOf(users, externalId)),
      described.map((user) => user.registeredAt),
      described.map((user) => user.ageGroup ?? null),
      described.map((user) => user.country ?? null),
    ],
  );
  for (const row of rows) {
    ids.set(row.external_id, row.id);
    created.add(row.external_id);
  }
  // Fewer rows than asked: a concurrent import created some between our read and write.
  if (ids.size < wanted.length) for (const row of await select(missing)) ids.set(row.external_id, row.id);
  return { ids, created };
}

interface StoredUser {
  id: number;
  external_id: string;
  age_group: string | null;
  country: string | null;
}

/** Upserts the users of a users file by (source, externalId); unchanged users are not written. */
export function userWriter(users: UserSource): BatchWriter<UserRecord> {
  const firstLineOf = new Map<string, number>();
  return async (connection, records) => {
    const result = emptyBatchResult();
    const batch: UserRecord[] = [];
    const batchLines = new Map<string, number>();
    for (const record of records) {
      const first = firstLineOf.get(record.externalId) ?? batchLines.get(record.externalId);
      if (first !== undefined) {
        result.issues.push({ line: record.line, reason: `duplicate user: id ${record.externalId} was first given at line ${first}` });
        continue;
      }
      batchLines.set(record.externalId, record.line);
      batch.push(record);
    }
    const byKey = new Map(batch.map((record) => [record.externalId, record]));
    const { ids, created } = await ensureUsers(connection, users, byKey.keys(), (externalId) => ({
      registeredAt: users.registeredAt,
      ageGroup: byKey.get(externalId)!.ageGroup,
      country: byKey.get(externalId)!.country,
    }));
    const stored = await connection.query<StoredUser>(
      "SELECT id, external_id, age_group::text AS age_group, country FROM users WHERE id = ANY($1::int[])",
      [[...ids.values()]],
    );
    const byExternalId = new Map(stored.map((row) => [row.external_id, row]));
    const changed = batch.filter((record) => {
      const row = byExternalId.get(record.externalId);
      return row !== undefined && !created.has(record.externalId) && (row.age_group !== record.ageGroup || row.country !== record.country);
    });
    if (changed.length > 0) {
      await connection.query(
        `UPDATE users u SET age_group = t.age_group::"AgeGroup", country = t.country
         FROM unnest($1::int[], $2::text[], $3::text[]) AS t(id, age_group, country) WHERE u.id = t.id`,
        [changed.map((record) => ids.get(record.externalId)!), changed.map((record) => record.ageGroup), changed.map((record) => record.country)],
      );
    }
    result.inserted = created.size;
    result.updated = changed.length;
    result.unchanged = batch.length - result.inserted - result.updated;
    result.onCommit = () => {
      for (const record of batch) firstLineOf.set(record.externalId, record.line);
    };
    return result;
  };
}
