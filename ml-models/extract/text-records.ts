import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { parse } from "csv-parse";

/**
 * Interaction files come in two shapes, told apart by their content:
 * - CSV: `user_id,item_id[,rating][,timestamp]` (RFC 4180, optional header);
 * - adjacency lists, as public benchmark splits ship them (Gowalla, Yelp2018,
 *   Amazon-book...): one line per user, the user id then the ids of that user's
 *   items, separated by spaces (or tabs).
 * Both are read as streams, a record at a time, never whole.
 */
export type InteractionFileFormat = "csv" | "adjacency";

/** The first non-empty line decides: a comma means CSV; two or more whitespace-separated integers, adjacency. */
export async function detectFormat(file: string): Promise<InteractionFileFormat> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const firstLine = buffer.subarray(0, bytesRead).toString("utf8").split(/\r?\n/).find((line) => line.trim() !== "") ?? "";
    if (firstLine.includes(",")) return "csv";
    const fields = firstLine.trim().split(/\s+/);
    return fields.length >= 2 && fields.every((f) => /^-?\d+$/.test(f)) ? "adjacency" : "csv";
  } finally {
    await handle.close();
  }
}

/** CSV records with their 1-based line, streamed through csv-parse. */
export async function* csvRecords(file: string): AsyncGenerator<{ line: number; fields: string[] }> {
  const parser = createReadStream(file).pipe(parse({ relax_column_count: true, skip_empty_lines: true, info: true, bom: true }));
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield { line: info.lines, fields: record };
  }
}

/** Non-empty lines of a whitespace-separated file, with their 1-based line number. */
export async function* whitespaceRecords(file: string): AsyncGenerator<{ line: number; fields: string[] }> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    const trimmed = text.trim();
    if (trimmed !== "") yield { line, fields: trimmed.split(/\s+/) };
  }
}
