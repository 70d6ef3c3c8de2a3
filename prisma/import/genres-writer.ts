import { emptyBatchResult, type BatchWriter } from "./batch.ts";
import type { TagRecord } from "./records.ts";
import { slugify } from "./slug.ts";

/**
 * Stores a dataset's tags as genres (found again by name on a re-import) and
 * fills `genreOfTag` so the book-tag links can be resolved. Slugs must be unique:
 * a tag whose slug is taken ("to read" after "to-read") gets its tag id appended.
 */
export function genreWriter(genreOfTag: Map<number, number>): BatchWriter<TagRecord> {
  const firstLineOf = new Map<number, number>();
  return async (connection, records) => {
    const result = emptyBatchResult();
    const batch: TagRecord[] = [];
    const batchLines = new Map<number, number>();
    for (const record of records) {
      const first = firstLineOf.get(record.tagId) ?? batchLines.get(record.tagId);
      if (first !== undefined) {
        result.issues.push({ line: record.line, reason: `duplicate tag: id ${record.tagId} was first given at line ${first}` });
        continue;
      }
      batchLines.set(record.tagId, record.line);
      batch.push(record);
    }
    const names = [...new Set(batch.map((record) => record.name))];
    const stored = await connection.query<{ id: number; name: string }>("SELECT g.id, g.name FROM unnest($1::text[]) AS t(name) JOIN genres g ON g.name = t.name", [names]);
    const idOfName = new Map(stored.map((row) => [row.name, row.id]));

    const newGenres = new Map<string, TagRecord>();
    for (const record of batch) if (!idOfName.has(record.name) && !newGenres.has(record.name)) newGenres.set(record.name, record);
    const candidates = [...newGenres.values()].map((record) => ({ record, base: slugify(record.name) || "tag" }));
    const wanted = candidates.flatMap(({ record, base }) => [base, `${base}-${record.tagId}`]);
    const taken = new Set((await connection.query<{ slug: string }>("SELECT g.slug FROM unnest($1::text[]) AS t(slug) JOIN genres g ON g.slug = t.slug", [wanted])).map((row) => row.slug));
    const slugs: string[] = [];
    for (const { record, base } of candidates) {
      let slug = base === "tag" ? `tag-${record.tagId}` : base;
      for (let attempt = 2; taken.has(slug); attempt += 1) slug = attempt === 2 ? `${base}-${record.tagId}` : `${base}-${record.tagId}-${attempt}`;
      taken.add(slug);
      slugs.push(slug);
    }
    if (candidates.length > 0) {
      const rows = await connection.query<{ id: number; name: string }>(
        `INSERT INTO genres (name, slug) SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (name) DO NOTHING RETURNING id, name`,
        [candidates.map(({ record }) => record.name), slugs],
      );
      for (const row of rows) idOfName.set(row.name, row.id);
      result.inserted += rows.length;
      if (rows.length < candidates.length) {
        const again = await connection.query<{ id: number; name: string }>("SELECT g.id, g.name FROM unnest($1::text[]) AS t(name) JOIN genres g ON g.name = t.name", [[...newGenres.keys()]]);
        for (const row of again) idOfName.set(row.name, row.id);
      }
    }
    result.unchanged += batch.length - result.inserted;
    result.onCommit = () => {
      for (const record of batch) {
        firstLineOf.set(record.tagId, record.line);
        genreOfTag.set(record.tagId, idOfName.get(record.name)!);
      }
    };
    return result;
  };
}
