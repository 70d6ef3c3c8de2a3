import type { Dataset, Interactions, ItemFeatures } from "../data/dataset.ts";
import { RawEventCollector } from "../data/raw-events.ts";
import { csvRecords, detectFormat, whitespaceRecords } from "./text-records.ts";

/**
 * Interaction files: CSV `user_id,item_id[,rating][,timestamp]`, with or without a
 * header (names such as book_id / movie_id are accepted for the item column), or an
 * adjacency list (`user item item ...` per line), told apart by content. No rating
 * means implicit (strength 1); no timestamp means the row order is the clock.
 */
export interface InteractionRow {
  readonly user: number;
  readonly item: number;
  readonly value: number;
  readonly time: number;
}

export class CsvFormatError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = "CsvFormatError";
  }
}

export async function readInteractionFile(file: string): Promise<InteractionRow[]> {
  return (await detectFormat(file)) === "adjacency" ? readAdjacencyList(file) : readInteractionCsv(file);
}

/** One line per user: the user id, then the user's items in order (the order is the clock). */
async function readAdjacencyList(file: string): Promise<InteractionRow[]> {
  const rows: InteractionRow[] = [];
  for await (const { line, fields } of whitespaceRecords(file)) {
    const ids = fields.map(Number);
    if (!ids.every(Number.isInteger)) throw new CsvFormatError(file, line, `ids must be integers, got ${JSON.stringify(fields.slice(0, 4))}`);
    const [user, ...items] = ids;
    for (const item of items) rows.push({ user: user!, item, value: 1, time: rows.length });
  }
  return rows;
}

async function readInteractionCsv(file: string): Promise<InteractionRow[]> {
  const rows: InteractionRow[] = [];
  let first = true;
  let columns = { user: 0, item: 1, value: 2, time: 3 };
  for await (const { line, fields } of csvRecords(file)) {
    if (first && fields.some((f) => f.trim() !== "" && !Number.isFinite(Number(f)) && Number.isNaN(Date.parse(f)))) {
      first = false;
      columns = headerColumns(fields, file);
      continue;
    }
    first = false;
    const user = Number(fields[columns.user]);
    const item = Number(fields[columns.item]);
    if (!Number.isInteger(user) || !Number.isInteger(item)) throw new CsvFormatError(file, line, `user and item ids must be integers, got ${JSON.stringify(fields.slice(0, 2))}`);
    const rawValue = columns.value >= 0 ? fields[columns.value] : undefined;
    const value = rawValue === undefined || rawValue.trim() === "" ? 1 : Number(rawValue);
    if (!Number.isFinite(value)) throw new CsvFormatError(file, line, `rating is not a number: ${JSON.stringify(rawValue)}`);
    const rawTime = columns.time >= 0 ? fields[columns.time] : undefined;
    const time = rawTime === undefined || rawTime.trim() === "" ? rows.length : parseTime(rawTime);
    if (!Number.isFinite(time)) throw new CsvFormatError(file, line, `timestamp is neither a number nor a date: ${JSON.stringify(rawTime)}`);
    rows.push({ user, item, value, time });
  }
  return rows;
}

function headerColumns(header: string[], file: string) {
  const names = header.map((h) => h.trim().toLowerCase());
  const find = (candidates: string[]) => names.findIndex((n) => candidates.includes(n));
  const user = find(["user_id", "user", "userid", "uid"]);
  const item = find(["item_id", "item", "itemid", "book_id", "bookid", "movie_id", "movieid", "iid"]);
  if (user < 0 || item < 0) throw new CsvFormatError(file, 1, `header needs a user and an item column, got ${header.join(",")}`);
  return { user, item, value: find(["rating", "value", "score", "weight"]), time: find(["timestamp", "time", "ts", "date", "occurred_at", "created_at"]) };
}

function parseTime(raw: string): number {
  const numeric = Number(raw);
  return Number.isFinite(numeric) ? numeric : Date.parse(raw);
}

/**
 * A train file and a test file over one id space: items are indexed over both
 * (the catalogue), users as they appear. Test rows of pairs already in train are
 * dropped: evaluation ranks only items unseen in training.
 */
export async function datasetFromTrainTestFiles(
  trainFile: string,
  testFile: string,
  features?: ReadonlyMap<number, ItemFeatures>,
): Promise<{ dataset: Dataset; train: Interactions; test: Interactions }> {
  const trainRows = await readInteractionFile(trainFile);
  const testRows = await readInteractionFile(testFile);
  if (trainRows.length === 0) throw new Error(`${trainFile}: no interactions`);
  if (testRows.length === 0) throw new Error(`${testFile}: no interactions`);
  const collector = new RawEventCollector();
  for (const row of trainRows) collector.add(row.user, row.item, row.value, row.time);
  const trainCount = collector.size;
  // Test rows come after every train row in time, so the collector keeps train's pairs first.
  let offset = 0;
  for (const row of trainRows) if (row.time >= offset) offset = row.time + 1;
  for (const row of testRows) collector.add(row.user, row.item, row.value, offset + row.time);
  const catalogue = [...new Set([...(features ? features.keys() : []), ...trainRows.map((r) => r.item), ...testRows.map((r) => r.item)])];
  const dataset = collector.build(features ? { catalogue, features } : { catalogue });
  const trainPairs = new Set<number>();
  const itemCount = dataset.itemMap.ids.length;
  for (let r = 0; r < trainCount; r++) {
    const row = trainRows[r]!;
    trainPairs.add(dataset.userMap.index.get(row.user)! * itemCount + dataset.itemMap.index.get(row.item)!);
  }
  const { users, items } = dataset.interactions;
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (let r = 0; r < users.length; r++) (trainPairs.has(users[r]! * itemCount + items[r]!) ? trainIdx : testIdx).push(r);
  return { dataset, train: pick(dataset.interactions, trainIdx), test: pick(dataset.interactions, testIdx) };
}

/** A single interaction file, split later by time. */
export async function datasetFromFile(file: string, features?: ReadonlyMap<number, ItemFeatures>): Promise<Dataset> {
  const rows = await readInteractionFile(file);
  if (rows.length === 0) throw new Error(`${file}: no interactions`);
  const collector = new RawEventCollector();
  for (const row of rows) collector.add(row.user, row.item, row.value, row.time);
  if (!features) return collector.build();
  const catalogue = [...new Set([...features.keys(), ...rows.map((r) => r.item)])];
  return collector.build({ catalogue, features });
}

function pick(interactions: Interactions, rows: number[]): Interactions {
  return {
    users: Int32Array.from(rows, (r) => interactions.users[r]!),
    items: Int32Array.from(rows, (r) => interactions.items[r]!),
    values: Float32Array.from(rows, (r) => interactions.values[r]!),
    times: Float64Array.from(rows, (r) => interactions.times[r]!),
  };
}
