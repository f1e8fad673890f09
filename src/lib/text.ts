/** Body text is plain paragraphs separated by a blank line; these are the derived views of it. */
export function paragraphsOf(body: string): string[] {
  return body
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

export function countWords(text: string): number {
  const matches = text.match(/[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu);
  return matches ? matches.length : 0;
}

const WORDS_PER_MINUTE = 200;

export function readingTimeMinutes(wordCount: number): number {
  return Math.max(1, Math.round(wordCount / WORDS_PER_MINUTE));
}

/** Whitespace other than a lone space, or two spaces: where folding would change a text. */
const NEEDS_FOLDING = /[^\S ]| {2}/;
const fold = (text: string): string => (NEEDS_FOLDING.test(text) ? text.replace(/\s+/g, " ") : text);

/** What an excerpt does not end on before its ellipsis. */
const CUT_END = /[\s,.;:–-]+$/u;
const CUT_END_CHAR = /[\s,.;:–-]/u;

/**
 * Cuts at a word boundary and marks the cut, so an excerpt never ends mid-word. Whitespace is
 * folded on a prefix twice the excerpt's length (doubled until it yields enough), not on the
 * whole text: a list page cuts twenty excerpts from leads and bodies many times longer. A
 * folded prefix is a prefix of the folded text, so the result is the same. Most leads are
 * already folded (single spaces), and most cuts end on a letter: both are tested before any
 * string is rebuilt or any end-anchored pattern scans the text from its start.
 */
export function excerptOf(text: string, maxLength: number): string {
  let end = Math.min(text.length, 2 * maxLength);
  let flat = fold(text.slice(0, end)).trimStart();
  // Trailing whitespace of a prefix may be all the text has left, which the whole text trims.
  while (flat.trimEnd().length <= maxLength && end < text.length) {
    end = Math.min(text.length, 2 * end);
    flat = fold(text.slice(0, end)).trimStart();
  }
  if (end === text.length) flat = flat.trimEnd();
  if (flat.length <= maxLength) return flat;
  const cut = flat.slice(0, maxLength - 1);
  const lastSpace = cut.lastIndexOf(" ");
  const kept = lastSpace > maxLength / 2 ? cut.slice(0, lastSpace) : cut;
  return `${CUT_END_CHAR.test(kept.slice(-1)) ? kept.replace(CUT_END, "") : kept}…`;
}

/** In u-mode a surrogate pair is one code point, so only an unpaired surrogate matches. */
const UNPAIRED_SURROGATE = /\p{Surrogate}/u;

/**
 * Why `text` cannot be stored, or null. NUL ends strings in C libraries and PostgreSQL refuses
 * it in text; an unpaired surrogate has no UTF-8 form (SQLite stored bytes that read back as
 * U+FFFD). Both only ever arrive by mistake or as an attack. Checked on every mutation's
 * strings (graphql/validation.ts) and by the importer.
 */
export function unstorableText(text: string): string | null {
  if (text.includes("\u0000")) return "must not contain NUL (U+0000)";
  if (UNPAIRED_SURROGATE.test(text)) return "must not contain an unpaired UTF-16 surrogate";
  return null;
}
