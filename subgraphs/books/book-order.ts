import type { Book, Prisma } from "../../lib/db/database.ts";
import { badUserInput } from "../../lib/errors.ts";
import { decodeCursor } from "../../lib/graphql/cursor.ts";

export type BookOrderField = "RATINGS_COUNT" | "AVERAGE_RATING" | "PUBLICATION_YEAR" | "TITLE";
export type OrderDirection = "ASC" | "DESC";

export interface BookOrderArgs {
  field?: BookOrderField | null;
  direction?: OrderDirection | null;
}

type SortableColumn = "ratingsCount" | "averageRating" | "publicationYear" | "title";

const COLUMNS: Record<BookOrderField, SortableColumn> = {
  RATINGS_COUNT: "ratingsCount",
  AVERAGE_RATING: "averageRating",
  PUBLICATION_YEAR: "publicationYear",
  TITLE: "title",
};

/**
 * A total order over books for keyset pagination: the chosen column (missing values
 * last, whatever the direction), then id ascending. Cursors carry the ordering they
 * were issued for, so one cannot be replayed against another ordering.
 */
export class BookOrdering {
  readonly column: SortableColumn;
  readonly descending: boolean;
  private readonly tag: string;

  constructor(args: BookOrderArgs | null | undefined) {
    const field = args?.field ?? "RATINGS_COUNT";
    this.column = COLUMNS[field];
    this.descending = (args?.direction ?? "DESC") === "DESC";
    this.tag = `${field}:${this.descending ? "DESC" : "ASC"}`;
  }

  orderBy(): Prisma.BookOrderByWithRelationInput[] {
    const sort = this.descending ? "desc" : "asc";
    const primary: Prisma.BookOrderByWithRelationInput =
      this.column === "publicationYear" ? { publicationYear: { sort, nulls: "last" } } : { [this.column]: sort };
    return [primary, { id: "asc" }];
  }

  /** [ordering, id, value]: the value is left out when the book has none (it sorts last). */
  positionOf(book: Book): (string | number)[] {
    const value = book[this.column];
    return value === null ? [this.tag, book.id] : [this.tag, book.id, value];
  }

  /** The books strictly after the cursor's position in this ordering. */
  after(cursor: string): Prisma.BookWhereInput {
    const position = decodeCursor(cursor);
    const [tag, id, value] = position;
    if (tag !== this.tag || typeof id !== "number" || position.length > 3) {
      throw badUserInput("after is not a cursor of this ordering", "after");
    }
    if (value === undefined) {
      // Among the books without a value only the id tie-break remains.
      return { [this.column]: null, id: { gt: id } };
    }
    if (typeof value !== (this.column === "title" ? "string" : "number")) throw badUserInput("after is not a valid cursor", "after");
    const beyond = this.descending ? { lt: value } : { gt: value };
    const alternatives: Prisma.BookWhereInput[] = [{ [this.column]: beyond }, { [this.column]: value, id: { gt: id } }];
    if (this.column === "publicationYear") alternatives.push({ publicationYear: null });
    return { OR: alternatives };
  }
}
