import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { Readable, Transform } from "node:stream";
import { parse } from "csv-parse";
import { parse as parseLine } from "csv-parse/sync";

/** How a dataset writes its CSV files. */
export interface CsvFormat {
  readonly delimiter: string;
  /** A WHATWG encoding label; "latin1" decodes as windows-1252, its superset. */
  readonly encoding: "utf-8" | "latin1";
  /** The character that escapes a quote inside a quoted field (`"` in RFC 4180, `\` in Book-Crossing). */
  readonly escape: string;
  /**
   * Whether a quoted field may contain line breaks. When it may not, every line is
   * parsed on its own, so a broken quote costs exactly its own line instead of
   * swallowing the good lines after it.
   */
  readonly multilineFields: boolean;
}

export const RFC4180_UTF8: CsvFormat = { delimiter: ",", encoding: "utf-8", escape: '"', multilineFields: true };

/** One data record, with the 1-based line of the file it starts on. */
export interface CsvRow {
  readonly kind: "row";
  readonly line: number;
  readonly fields: string[];
}

/** A record the parser could not read (broken quoting, wrong column count). */
export interface CsvBrokenRecord {
  readonly kind: "broken";
  readonly line: number;
  readonly reason: string;
}

export type CsvRecord = CsvRow | CsvBrokenRecord;

export interface CsvFile {
  /** Column names of the header line, as written. */
  readonly header: readonly string[];
  /** Index of every header column by name. */
  readonly columns: ReadonlyMap<string, number>;
  readonly records: AsyncIterable<CsvRecord>;
}

export class CsvHeaderError extends Error {
  override readonly name = "CsvHeaderError";
}

/**
 * Streams a CSV file record by record: the file is read in chunks and never held
 * whole. The first record is the header; every later record whose column count
 * differs from it is reported as broken rather than guessed at. `onBytes` is told
 * how many bytes of the file have been read, for progress.
 */
export async function openCsvFile(path: string, format: CsvFormat, requiredColumns: readonly string[], onBytes?: (bytes: number) => void): Promise<CsvFile> {
  const source = createReadStream(path);
  let bytes = 0;
  source.on("data", (chunk) => {
    bytes += chunk.length;
    onBytes?.(bytes);
  });
  const text = source.pipe(decoder(format.encoding));
  // pipe() does not forward errors; a read failure must end the parse, not hang it.
  source.on("error", (error) => text.destroy(error));
  const records = (format.multilineFields ? streamRecords(text, format) : lineRecords(text, format))[Symbol.asyncIterator]();

  const first = await records.next();
  if (first.done) {
    source.destroy();
    throw new CsvHeaderError("the file is empty");
  }
  if (first.value.kind === "broken") {
    source.destroy();
    throw new CsvHeaderError(`the header line is unreadable: ${first.value.reason}`);
  }
  const header = first.value.fields.map((name) => name.trim());
  const columns = new Map(header.map((name, index) => [name, index] as const));
  const missing = requiredColumns.filter((name) => !columns.has(name));
  if (missing.length > 0) {
    source.destroy();
    throw new CsvHeaderError(`missing column(s) ${missing.join(", ")} (header: ${header.join(format.delimiter)})`);
  }
  return { header, columns, records: checkColumnCount(records, header.length) };
}

async function* checkColumnCount(records: AsyncIterator<CsvRecord>, expected: number): AsyncGenerator<CsvRecord> {
  for (let next = await records.next(); !next.done; next = await records.next()) {
    const record = next.value;
    if (record.kind === "row" && record.fields.length !== expected) {
      yield { kind: "broken", line: record.line, reason: `expected ${expected} columns, got ${record.fields.length}` };
    } else {
      yield record;
    }
  }
}

/** Bytes to text; `stream: true` keeps a multi-byte character split across chunks intact. */
function decoder(encoding: CsvFormat["encoding"]): Transform {
  const textDecoder = new TextDecoder(encoding);
  return new Transform({
    decodeStrings: true,
    readableObjectMode: false,
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, textDecoder.decode(chunk, { stream: true }));
    },
    flush(callback) {
      callback(null, textDecoder.decode());
    },
  });
}

const parserOptions = (format: CsvFormat) => ({
  delimiter: format.delimiter,
  escape: format.escape,
  relax_column_count: true,
  skip_empty_lines: true,
});

/** Whole-stream parsing: quoted fields may span lines. A record's line is where it starts. */
async function* streamRecords(text: Readable, format: CsvFormat): AsyncGenerator<CsvRecord> {
  const parser = text.pipe(parse({ ...parserOptions(format), info: true, skip_records_with_error: true }));
  const broken: CsvBrokenRecord[] = [];
  let lastBrokenLine = 0;
  parser.on("skip", (error: Error & { lines?: number }) => {
    const line = error.lines ?? 0;
    // One bad record can raise several errors; it is reported once.
    if (line === lastBrokenLine) return;
    lastBrokenLine = line;
    broken.push({ kind: "broken", line, reason: describeParseError(error) });
  });
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const line = info.lines - lineBreaksIn(record);
    // The parser reports errors as it meets them, ahead of the records it has buffered: keep file order.
    while (broken.length > 0 && broken[0]!.line < line) yield broken.shift()!;
    yield { kind: "row", line, fields: record };
  }
  while (broken.length > 0) yield broken.shift()!;
}

/** Line-at-a-time parsing for formats whose records never span lines. */
async function* lineRecords(text: Readable, format: CsvFormat): AsyncGenerator<CsvRecord> {
  const options = parserOptions(format);
  let line = 0;
  for await (const content of createInterface({ input: text, crlfDelay: Infinity })) {
    line += 1;
    if (content.trim() === "") continue;
    try {
      const [fields] = parseLine(content, options) as string[][];
      if (fields) yield { kind: "row", line, fields };
    } catch (error) {
      yield { kind: "broken", line, reason: describeParseError(error as Error) };
    }
  }
}

function lineBreaksIn(fields: string[]): number {
  let count = 0;
  for (const field of fields) {
    if (!field.includes("\n")) continue;
    for (const char of field) if (char === "\n") count += 1;
  }
  return count;
}

function describeParseError(error: Error & { code?: string }): string {
  switch (error.code) {
    case "CSV_INVALID_CLOSING_QUOTE":
    case "CSV_QUOTE_NOT_CLOSED":
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
      return `broken quoting (${error.message.replace(/ at line \d+.*$/, "")})`;
    default:
      return `unreadable record (${error.message})`;
  }
}
