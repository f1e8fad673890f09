/** URL slugs: stable, ASCII-only, safe to put in a path segment without escaping. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Apostrophes and quotes are dropped rather than turned into separators, so "Jum'at" becomes
 * "jumat" (the spelling readers type) instead of "jum-at".
 */
const QUOTES = /['\u2018\u2019\u201A\u201B\u02BC\u02BB\u0060\u00B4\u2032"\u201C\u201D\u201E\u201F\u2033]/g;

/** Letters NFKD does not decompose into a base letter plus marks. */
const LETTER_FOLDS: Readonly<Record<string, string>> = {
  ß: "ss", æ: "ae", œ: "oe", ø: "o", đ: "d", ð: "d", þ: "th", ł: "l", ı: "i", ħ: "h", ŧ: "t", ŋ: "ng", ĸ: "k",
};
const FOLDABLE = new RegExp(`[${Object.keys(LETTER_FOLDS).join("")}]`, "g");

export function slugify(text: string, maxLength = 80): string {
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`slug maxLength must be a positive integer, got ${maxLength}`);
  }
  const ascii = String(text)
    // Decompose before lowercasing: compatibility forms can expand to capitals ("℃" → "°C").
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(FOLDABLE, (ch) => LETTER_FOLDS[ch])
    .replace(QUOTES, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (ascii.length <= maxLength) return ascii;
  // A cut mid-word reads like a typo in the URL; back up to the last whole word when there is one.
  const cut = ascii.slice(0, maxLength);
  if (ascii[maxLength] === "-") return cut;
  const lastHyphen = cut.lastIndexOf("-");
  return (lastHyphen > 0 ? cut.slice(0, lastHyphen) : cut).replace(/-+$/, "");
}
