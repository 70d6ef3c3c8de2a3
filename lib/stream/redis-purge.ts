import type { Redis } from "../redis.ts";
import { concernsReader } from "./durable-stream.ts";

/** Entries read per XRANGE page while looking for a reader's events. */
const PAGE = 1000;

type RawEntry = [id: string, fields: string[] | null];

/**
 * The counter every purge increments, beside the streams: a consumer compares it
 * with its value when it read its batch, and re-checks that the rest of the batch
 * still exists only when it moved (no extra round trip per event otherwise).
 */
export const purgeCounterKey = (prefix: string) => `${prefix}reader-purges`;

const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, "\\$&");

export function eventOf(fields: readonly string[] | null): string | undefined {
  if (!fields) return undefined;
  for (let index = 0; index < fields.length; index += 2) if (fields[index] === "event") return fields[index + 1];
  return undefined;
}

function payloadOf(fields: readonly string[] | null): unknown {
  const raw = eventOf(fields);
  try {
    return raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Every stream under the prefix: the event streams and their dead-letter streams (which carry the same `event` field). */
async function streamKeys(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await client.scan(cursor, "MATCH", `${globEscape(prefix)}*`, "COUNT", 500, "TYPE", "stream");
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

/** Ids of the reader's entries in one stream, read page by page (erasure is rare; a full scan is its price). */
async function readerEntryIds(client: Redis, key: string, userId: number): Promise<string[]> {
  const ids: string[] = [];
  let from = "-";
  for (;;) {
    const page = (await client.xrange(key, from, "+", "COUNT", PAGE)) as RawEntry[];
    for (const [id, fields] of page) if (concernsReader(payloadOf(fields), userId)) ids.push(id);
    if (page.length < PAGE) return ids;
    from = `(${page[page.length - 1]![0]}`;
  }
}

async function groupsOf(client: Redis, key: string): Promise<string[]> {
  const groups = (await client.xinfo("GROUPS", key)) as (string | number)[][];
  return groups.map((fields) => String(fields[fields.indexOf("name") + 1]));
}

/**
 * XDEL of the reader's entries in every stream under the prefix, then XACK in every
 * group (XDEL leaves pending ids behind) and removal of their recorded errors. The
 * counter is bumped last, once the entries are gone, so a consumer that sees it
 * move and looks again finds them missing.
 */
export async function purgeReaderFromRedis(client: Redis, prefix: string, userId: number): Promise<number> {
  let removed = 0;
  for (const key of await streamKeys(client, prefix)) {
    const ids = await readerEntryIds(client, key, userId);
    if (ids.length === 0) continue;
    for (let start = 0; start < ids.length; start += PAGE) {
      const chunk = ids.slice(start, start + PAGE);
      await client.xdel(key, ...chunk);
      for (const group of await groupsOf(client, key)) {
        await client.xack(key, group, ...chunk);
        await client.hdel(`${key}:errors:${group}`, ...chunk);
      }
    }
    removed += ids.length;
  }
  if (removed > 0) await client.incr(purgeCounterKey(prefix));
  return removed;
}

/** Which of these ids no longer exist (purged, or trimmed) in the stream. */
export async function missingEntries(client: Redis, key: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const pipeline = client.pipeline();
  for (const id of ids) pipeline.xrange(key, id, id);
  const results = (await pipeline.exec()) ?? [];
  const missing = new Set<string>();
  results.forEach(([error, entries], index) => {
    if (error) throw error;
    if ((entries as unknown[]).length === 0) missing.add(ids[index]!);
  });
  return missing;
}
