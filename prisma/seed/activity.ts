import { InteractionCode } from "./dataset.ts";
import type { Random } from "./random.ts";
import { recencySkew, type SampledRatings } from "./rating-sampler.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Implicit signals per rating: kept modest (≈ 20% of ratings in all) as real implicit logs are noisy. */
export interface ActivitySettings {
  /** Share of rated books that also get a reading-history entry (started then finished). */
  readonly finishedShare: number;
  /** How the considered-but-unrated books split into shelving, viewing and currently reading. */
  readonly shelveShare: number;
  readonly viewShare: number;
}

export const DEFAULT_ACTIVITY_SETTINGS: ActivitySettings = { finishedShare: 0.04, shelveShare: 0.45, viewShare: 0.45 };

export const ReadingStatusCode = { READING: 0, FINISHED: 1, ABANDONED: 2 } as const;

export interface GeneratedActivity {
  readonly bookmarks: { userIndex: Int32Array; bookIndex: Int32Array; createdAt: Float64Array };
  readonly reading: { userIndex: Int32Array; bookIndex: Int32Array; status: Uint8Array; startedAt: Float64Array; finishedAt: Float64Array };
  /** Implicit interactions only (RATE rows come from the ratings). */
  readonly implicit: { userIndex: Int32Array; bookIndex: Int32Array; type: Uint8Array; occurredAt: Float64Array };
}

/**
 * Reading history, shelves and views drawn from the same taste model as the
 * ratings: finished books are rated books (finished just before the rating),
 * shelved / viewed / currently-read books are ones the reader was drawn to but
 * has not rated.
 */
export function generateActivity(
  random: Random,
  sampled: SampledRatings,
  registeredAt: Float64Array,
  referenceTime: number,
  settings: ActivitySettings = DEFAULT_ACTIVITY_SETTINGS,
): GeneratedActivity {
  const userCount = registeredAt.length;
  const finishedCounts = new Int32Array(userCount);
  let finishedTotal = 0;
  for (let user = 0; user < userCount; user++) {
    const rated = sampled.userOffsets[user + 1]! - sampled.userOffsets[user]!;
    finishedCounts[user] = Math.min(rated, random.roundStochastic(rated * settings.finishedShare));
    finishedTotal += finishedCounts[user]!;
  }
  const consideredTotal = sampled.considered.length;

  const bookmarks = { userIndex: new Int32Array(consideredTotal), bookIndex: new Int32Array(consideredTotal), createdAt: new Float64Array(consideredTotal) };
  const readingCapacity = finishedTotal + consideredTotal;
  const reading = {
    userIndex: new Int32Array(readingCapacity),
    bookIndex: new Int32Array(readingCapacity),
    status: new Uint8Array(readingCapacity),
    startedAt: new Float64Array(readingCapacity),
    finishedAt: new Float64Array(readingCapacity),
  };
  const implicitCapacity = 2 * finishedTotal + consideredTotal;
  const implicit = { userIndex: new Int32Array(implicitCapacity), bookIndex: new Int32Array(implicitCapacity), type: new Uint8Array(implicitCapacity), occurredAt: new Float64Array(implicitCapacity) };
  let bookmarkRow = 0;
  let readingRow = 0;
  let implicitRow = 0;
  const addImplicit = (user: number, book: number, type: number, at: number) => {
    implicit.userIndex[implicitRow] = user;
    implicit.bookIndex[implicitRow] = book;
    implicit.type[implicitRow] = type;
    implicit.occurredAt[implicitRow] = at;
    implicitRow++;
  };

  for (let user = 0; user < userCount; user++) {
    const from = sampled.activeFrom[user]!;
    const registered = registeredAt[user]!;

    const first = sampled.userOffsets[user]!;
    const rated = sampled.userOffsets[user + 1]! - first;
    const picked = new Set<number>();
    while (picked.size < finishedCounts[user]!) picked.add(first + random.int(rated));
    for (const row of picked) {
      const book = sampled.bookIndex[row]!;
      const finishedAt = Math.max(registered, Math.round(sampled.createdAt[row]! - random.next() * 6 * HOUR_MS));
      const startedAt = Math.max(registered, Math.round(finishedAt - (2 + random.next() * 28) * DAY_MS));
      reading.userIndex[readingRow] = user;
      reading.bookIndex[readingRow] = book;
      reading.status[readingRow] = ReadingStatusCode.FINISHED;
      reading.startedAt[readingRow] = startedAt;
      reading.finishedAt[readingRow] = finishedAt;
      readingRow++;
      addImplicit(user, book, InteractionCode.START_READING, startedAt);
      addImplicit(user, book, InteractionCode.FINISH_READING, finishedAt);
    }

    for (let c = sampled.consideredOffsets[user]!; c < sampled.consideredOffsets[user + 1]!; c++) {
      const book = sampled.considered[c]!;
      const kind = random.next();
      const at = Math.round(from + (referenceTime - from) * recencySkew(random.next()));
      if (kind < settings.shelveShare) {
        bookmarks.userIndex[bookmarkRow] = user;
        bookmarks.bookIndex[bookmarkRow] = book;
        bookmarks.createdAt[bookmarkRow] = at;
        bookmarkRow++;
        addImplicit(user, book, InteractionCode.SHELVE, at);
      } else if (kind < settings.shelveShare + settings.viewShare) {
        addImplicit(user, book, InteractionCode.VIEW, at);
      } else {
        // Currently reading: started recently, not finished yet.
        const startedAt = Math.max(from, Math.round(referenceTime - random.next() * 45 * DAY_MS));
        reading.userIndex[readingRow] = user;
        reading.bookIndex[readingRow] = book;
        reading.status[readingRow] = ReadingStatusCode.READING;
        reading.startedAt[readingRow] = startedAt;
        reading.finishedAt[readingRow] = Number.NaN;
        readingRow++;
        addImplicit(user, book, InteractionCode.START_READING, startedAt);
      }
    }
  }

  return {
    bookmarks: { userIndex: bookmarks.userIndex.subarray(0, bookmarkRow), bookIndex: bookmarks.bookIndex.subarray(0, bookmarkRow), createdAt: bookmarks.createdAt.subarray(0, bookmarkRow) },
    reading: {
      userIndex: reading.userIndex.subarray(0, readingRow),
      bookIndex: reading.bookIndex.subarray(0, readingRow),
      status: reading.status.subarray(0, readingRow),
      startedAt: reading.startedAt.subarray(0, readingRow),
      finishedAt: reading.finishedAt.subarray(0, readingRow),
    },
    implicit: {
      userIndex: implicit.userIndex.subarray(0, implicitRow),
      bookIndex: implicit.bookIndex.subarray(0, implicitRow),
      type: implicit.type.subarray(0, implicitRow),
      occurredAt: implicit.occurredAt.subarray(0, implicitRow),
    },
  };
}
