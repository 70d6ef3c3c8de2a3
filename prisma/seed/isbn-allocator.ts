import { isbn13CheckDigit } from "../../lib/isbn.ts";
import type { Random } from "./random.ts";

/**
 * Hands out unique ISBN-13s the way the real system does: each publisher owns a
 * registrant prefix (short for big houses, long for small ones) and numbers its
 * books inside it, so a publisher's books share a recognisable prefix.
 */
export class IsbnAllocator {
  private readonly used = new Set<string>();
  private readonly usedPrefixes = new Set<string>();

  constructor(private readonly random: Random) {}

  /** A registrant prefix ("978" + group + registrant, 5..10 digits) for a publisher of the given size rank (0 = biggest). */
  registrantPrefix(rank: number): string {
    const registrantDigits = rank < 5 ? 2 : rank < 30 ? 3 : rank < 100 ? 4 : 5;
    for (;;) {
      const english = this.random.chance(0.85);
      const prefix = english ? "978" : this.random.pick(["978", "979"]);
      const group = prefix === "979" ? this.random.pick(["8", "10", "11", "12"]) : english ? this.random.pick(["0", "1"]) : this.random.pick(["2", "3", "84", "88"]);
      let registrant = String(this.random.intBetween(1, 9));
      while (registrant.length < registrantDigits) registrant += String(this.random.int(10));
      const full = prefix + group + registrant;
      if (!this.usedPrefixes.has(full)) {
        this.usedPrefixes.add(full);
        return full;
      }
    }
  }

  /** A new unique ISBN-13 under the prefix; falls back to a random US 979-8 number if the prefix's range is crowded. */
  allocate(registrantPrefix: string): string {
    const publicationDigits = 12 - registrantPrefix.length;
    for (let attempt = 0; attempt < 64; attempt++) {
      const isbn = withCheckDigit(registrantPrefix + this.digits(publicationDigits));
      if (this.claim(isbn)) return isbn;
    }
    for (;;) {
      const isbn = withCheckDigit("9798" + this.digits(8));
      if (this.claim(isbn)) return isbn;
    }
  }

  private digits(count: number): string {
    let text = "";
    for (let i = 0; i < count; i++) text += String(this.random.int(10));
    return text;
  }

  private claim(isbn: string): boolean {
    if (this.used.has(isbn)) return false;
    this.used.add(isbn);
    return true;
  }
}

function withCheckDigit(first12: string): string {
  return first12 + isbn13CheckDigit(first12);
}
