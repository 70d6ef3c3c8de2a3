import type { Redis } from "../redis.ts";

/** Entries read per XRANGE page while looking for a reader's events. */
const PAGE = 1000;

/**
 * The counter every purge increments, beside the streams: a consumer compares it
 * with its value when it read its batch, and re-checks that the rest of the batch
 * still exists only when it moved (no extra round trip per event otherwise).
 */
export const purgeCounterKey = (prefix: string) => `${prefix}reader-purges`;

const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, "\\$&");

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

/**
 * One page of a stream searched inside Redis: the ids of entries whose `event` holds
 * the reader's id as `"userId":<id>` (events are written by JSON.stringify, so without
 * spaces), and where the next page starts. Only ids cross the network, and each call
 * is short (a page), so Redis keeps answering the request path meanwhile.
 */
const SEARCH_PAGE = `
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', tonumber(ARGV[2]))
local matched = {}
for _, entry in ipairs(entries) do
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'event' and string.find(fields[i + 1], ARGV[3]) then matched[#matched + 1] = entry[1] end
  end
end
local last = ''
if #entries > 0 then last = entries[#entries][1] end
return { last, #entries, matched }`;

/** Ids of the reader's entries in one stream, searched page by page (erasure is rare; a full scan is its price). */
async function readerEntryIds(client: Redis, key: string, userId: number): Promise<string[]> {
  const pattern = `"userId":${Math.trunc(userId)}[,}]`;
  const ids: string[] = [];
  let from = "-";
  for (;;) {
    const [last, count, matched] = (await client.eval(SEARCH_PAGE, 1, key, from, PAGE, pattern)) as [string, number, string[]];
    ids.push(...matched);
    if (count < PAGE) return ids;
    from = `(${last}`;
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
