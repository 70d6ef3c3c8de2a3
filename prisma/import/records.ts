import type { AgeGroup } from "./age-group.ts";
import type { Located } from "./batch.ts";

/** The records every dataset reader produces and the writers store, whatever the file looked like. */

export interface BookRecord extends Located {
  /** The dataset's own key of the book (Goodbooks book_id, Book-Crossing ISBN as written). */
  readonly externalId: string;
  readonly title: string;
  isbn10: string | null;
  isbn13: string | null;
  readonly language: string | null;
  readonly publicationYear: number | null;
  readonly publisher: string | null;
  readonly coverUrl: string | null;
  /** In order of credit; the first is the main author. */
  readonly authors: readonly string[];
}

export interface UserRecord extends Located {
  readonly externalId: string;
  readonly ageGroup: AgeGroup | null;
  readonly country: string | null;
}

export interface RatingRecord extends Located {
  readonly userExternalId: string;
  readonly bookExternalId: string;
  /** 1..scale for an explicit rating; 0 for an implicit one. */
  readonly rating: number;
  /**
   * Top of the scale the rating was given on (5, 10), or 0 for an implicit rating
   * (the reader showed interest without rating), as schema.prisma and
   * lib/models/signal-strength.ts define it.
   */
  readonly scale: number;
  /** Epoch milliseconds; increasing with the file order, which is the datasets' time order. */
  readonly createdAt: number;
}

export interface TagRecord extends Located {
  readonly tagId: number;
  readonly name: string;
}

export interface BookTagRecord extends Located {
  readonly bookExternalId: string;
  readonly tagId: number;
  readonly weight: number;
}

export interface ShelfRecord extends Located {
  readonly userExternalId: string;
  readonly bookExternalId: string;
  readonly createdAt: number;
}
