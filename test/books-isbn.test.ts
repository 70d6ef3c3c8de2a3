import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GraphQLError } from "graphql";
import {
  cleanIsbn,
  isbn10ToIsbn13,
  isbn13ToIsbn10,
  isValidIsbn10,
  isValidIsbn13,
  normalizeIsbn,
  requireIsbn,
  requireIsbn10,
  requireIsbn13,
} from "../lib/isbn.ts";

function assertBadInput(work: () => unknown, field: string, message: RegExp): void {
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof GraphQLError);
    assert.equal(error.extensions.code, "BAD_USER_INPUT");
    assert.equal(error.extensions.field, field);
    assert.match(error.message, message);
    return true;
  });
}

describe("ISBN validation and normalisation (lib/isbn.ts)", () => {
  it("accepts ISBNs with correct check digits and rejects a changed digit", () => {
    assert.equal(isValidIsbn13("9780306406157"), true);
    assert.equal(isValidIsbn13("9780306406158"), false);
    assert.equal(isValidIsbn13("9790306406157"), false, "979 with the 978 check digit");
    assert.equal(isValidIsbn13("9770306406157"), false, "only 978 and 979 are book prefixes");
    assert.equal(isValidIsbn10("0306406152"), true);
    assert.equal(isValidIsbn10("0306406153"), false);
    assert.equal(isValidIsbn10("080442957X"), true, "check digit 10 is written X");
    assert.equal(isValidIsbn10("0804429570"), false);
    assert.equal(isValidIsbn10("030640615"), false);
  });

  it("strips hyphens and spaces and uppercases the X", () => {
    assert.equal(cleanIsbn(" 978-0-306-40615-7 "), "9780306406157");
    assert.equal(cleanIsbn("0 8044 2957 x"), "080442957X");
  });

  it("converts ISBN-10 to ISBN-13 and 978-prefixed ISBN-13 back, but not 979", () => {
    assert.equal(isbn10ToIsbn13("0306406152"), "9780306406157");
    assert.equal(isbn10ToIsbn13("080442957X"), "9780804429573");
    assert.equal(isbn13ToIsbn10("9780306406157"), "0306406152");
    assert.equal(isbn13ToIsbn10("9780804429573"), "080442957X");
    assert.equal(isbn13ToIsbn10("9791090636071"), null);
    assert.throws(() => isbn10ToIsbn13("0306406153"), RangeError);
  });

  it("normalises either form to both", () => {
    assert.deepEqual(normalizeIsbn("0-306-40615-2"), { isbn13: "9780306406157", isbn10: "0306406152" });
    assert.deepEqual(normalizeIsbn("978 0 306 40615 7"), { isbn13: "9780306406157", isbn10: "0306406152" });
    assert.deepEqual(normalizeIsbn("979-10-90636-07-1"), { isbn13: "9791090636071", isbn10: null });
    assert.equal(normalizeIsbn("978-0-306-40615-8"), null);
    assert.equal(normalizeIsbn("hello"), null);
    assert.equal(normalizeIsbn(""), null);
  });

  it("reports a bad ISBN as BAD_USER_INPUT naming the field and the reason", () => {
    assertBadInput(() => requireIsbn("978-0-306-40615-8", "isbn"), "isbn", /check digit/);
    assertBadInput(() => requireIsbn("12345", "isbn"), "isbn", /10 or 13 digits/);
    assertBadInput(() => requireIsbn13("0306406152", "input.isbn13"), "input.isbn13", /13 digits/);
    assertBadInput(() => requireIsbn13("1230306406157", "input.isbn13"), "input.isbn13", /978 or 979/);
    assertBadInput(() => requireIsbn10("030640615Y", "input.isbn10"), "input.isbn10", /check digit 0-9 or X/);
    assert.equal(requireIsbn10("0-8044-2957-x", "input.isbn10"), "080442957X");
    assert.deepEqual(requireIsbn("0306406152", "isbn"), { isbn13: "9780306406157", isbn10: "0306406152" });
  });
});
