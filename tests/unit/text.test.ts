import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { excerptOf } from "../../src/lib/text";

/** The plain definition: fold all whitespace of the whole text, then cut. */
function excerptOfWholeText(text: string, maxLength: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= maxLength) return flat;
  const cut = flat.slice(0, maxLength - 1);
  const lastSpace = cut.lastIndexOf(" ");
  return `${(lastSpace > maxLength / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,.;:–-]+$/u, "")}…`;
}

describe("excerpts", () => {
  it("folding a prefix gives what folding the whole text gives", () => {
    const word = fc.stringMatching(/^[a-zA-Z,.;:–-]{1,12}$/);
    const space = fc.constantFrom(" ", "  ", "\n", "\n\n", "\t ", "      \n  ", " \u00a0 ", "\u00a0", "\r\n", "\u3000", "\u2028", "\ufeff", "\v", "\f");
    const other = fc.constantFrom("ü", "😀", "–", "-.", ";", "\u0301");
    const text = fc.array(fc.oneof(word, space, other), { maxLength: 200 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(text, fc.integer({ min: 20, max: 300 }), (body, length) => {
        assert.equal(excerptOf(body, length), excerptOfWholeText(body, length));
      }),
      { numRuns: 5_000 },
    );
  });

  it("keeps a short text whole and cuts a long one at a word", () => {
    assert.equal(excerptOf("  Harga   beras\n\nnaik.  ", 160), "Harga beras naik.");
    // The prefix (twice the length) ends inside the trailing whitespace: still whole.
    assert.equal(excerptOf(`${"a".repeat(24)}${" ".repeat(30)}`, 24), "a".repeat(24));
    assert.equal(excerptOf(`${"kata ".repeat(100)}akhir`, 30), "kata kata kata kata kata…");
  });
});
