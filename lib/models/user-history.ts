import { Prisma, type PrismaClient } from "../db/database.ts";
import { interactionStrength, ratingStrength, signalMillisSql } from "./signal-strength.ts";

/** One book the reader has a signal for, at the strength the trainer gives it. */
export interface HistoryEntry {
  readonly bookId: number;
  readonly strength: number;
  /** Stars (out of 5) when the reader rated it. */
  readonly stars: number | null;
  readonly at: number;
}

/**
 * A reader's history, newest first, in typed arrays: 28 bytes a book, where an object
 * per book took about 100 (three of its four fields boxed doubles). The
 * recommendations process holds the histories of thousands of readers between their
 * requests; as objects they were the largest part of its heap under the bench's load.
 */
export class ReaderHistory {
  constructor(
    readonly bookIds: Int32Array,
    readonly strengths: Float64Array,
    /** NaN where the reader did not rate the book. */
    readonly stars: Float64Array,
    readonly at: Float64Array,
  ) {}

  get length(): number {
    return this.bookIds.length;
  }

  /** The newest `count` books as entries (a list's anchors). */
  newest(count: number): HistoryEntry[] {
    const entries: HistoryEntry[] = [];
    for (let i = 0; i < Math.min(count, this.length); i++) {
      const stars = this.stars[i]!;
      entries.push({ bookId: this.bookIds[i]!, strength: this.strengths[i]!, stars: Number.isNaN(stars) ? null : stars, at: this.at[i]! });
    }
    return entries;
  }
}

const millis = (column: string) => Prisma.raw(signalMillisSql(column));

/**
 * Everything the reader did with books (ratings, interaction events, reading
 * history, bookmarks), collapsed to the strongest signal per book exactly as the
 * trainer's extraction does, newest first.
 *
 * The signals come back as one text value ("book,kind,value,scale,ms;..."), as the
 * extraction pages do: a row per signal (about 135 for a bench reader) cost more in
 * row handling than in the query (300 bench readers, warm: on PGlite 1.8-1.9 against
 * 2.7-3.0 ms each; on PostgreSQL 0.6-0.9 against 0.9-1.1 ms of this process's CPU),
 * and a cold reader's history is read on the request path. Times are whole
 * milliseconds, as the extraction reads them.
 */
export async function readHistory(prisma: PrismaClient, userId: number): Promise<ReaderHistory> {
  const [packed] = await prisma.$queryRaw<{ signals: string | null }[]>(Prisma.sql`
    SELECT string_agg(signal, ';') AS signals FROM (
      SELECT book_id || ',RATING,' || rating || ',' || scale || ',' || ${millis("created_at")} AS signal FROM ratings WHERE user_id = ${userId}
      UNION ALL
      SELECT book_id || ',' || type::text || ',' || coalesce(value::text, '') || ',,' || ${millis("occurred_at")} FROM interactions WHERE user_id = ${userId}
      UNION ALL
      SELECT book_id || ',' || CASE WHEN status = 'FINISHED' THEN 'FINISH_READING' ELSE 'START_READING' END || ',,,' || ${millis("started_at")}
      FROM reading_history WHERE user_id = ${userId}
      UNION ALL
      SELECT book_id || ',SHELVE,,,' || ${millis("created_at")} FROM bookmarks WHERE user_id = ${userId}
    ) signals`);
  const rows = (packed?.signals ? packed.signals.split(";") : []).map((signal) => {
    const [bookId, kind, value, scale, t] = signal.split(",") as [string, string, string, string, string];
    return { book_id: Number(bookId), kind, value: value === "" ? null : Number(value), scale: scale === "" ? null : Number(scale), t: Number(t) };
  });
  const byBook = new Map<number, { strength: number; stars: number | null; at: number }>();
  for (const row of rows) {
    const strength = row.kind === "RATING" ? ratingStrength(row.value ?? 0, row.scale ?? 5) : interactionStrength(row.kind, row.value);
    const stars = row.kind === "RATING" && (row.scale ?? 0) > 0 ? strength : null;
    const entry = byBook.get(row.book_id);
    if (!entry) byBook.set(row.book_id, { strength, stars, at: row.t });
    else {
      entry.strength = Math.max(entry.strength, strength);
      entry.stars = stars ?? entry.stars;
      entry.at = Math.max(entry.at, row.t);
    }
  }
  const newestFirst = [...byBook].sort((a, b) => b[1].at - a[1].at);
  const history = new ReaderHistory(new Int32Array(newestFirst.length), new Float64Array(newestFirst.length), new Float64Array(newestFirst.length), new Float64Array(newestFirst.length));
  newestFirst.forEach(([bookId, entry], i) => {
    history.bookIds[i] = bookId;
    history.strengths[i] = entry.strength;
    history.stars[i] = entry.stars ?? Number.NaN;
    history.at[i] = entry.at;
  });
  return history;
}
