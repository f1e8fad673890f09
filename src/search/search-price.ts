import { badInput } from "../errors";
import type { FtsQuery } from "./fts-query";
import { stemText } from "./indonesian-stemmer";

/**
 * What a search costs before it runs, from how broad its words are. Full-text search reads the
 * posting list of every word it names (a prefix: of every indexed word that starts with it), so
 * its work grows with how many articles those words occur in, not with the page asked for.
 *
 *   price = 1 + Σ over the words of the MATCH expression (phrases, OR branches and excluded
 *               words included):
 *             an ordinary word                                  1
 *             a common word (list below, or 1–2 letters)        3
 *             a prefix of k letters (k ≥ MIN_PREFIX_LENGTH)     max(2, 2^(7 − k)): 3 → 16, 4 → 8, 5 → 4, 6+ → 2
 *
 * "harga beras" costs 3, "yang" 4, "pem*" 17. The admission plugin charges it on top of the
 * request's other points (docs/hardening.md).
 */
export const MIN_PREFIX_LENGTH = 3;

/**
 * Words in most Indonesian news articles (function words and the newsroom's most frequent
 * nouns), as the index stores them (stemmed): each one reads a posting list as long as the archive.
 */
const COMMON_WORDS = new Set(
  stemText(
    "yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan juga oleh sudah telah karena bisa lebih harus " +
      "masih saat kata ia mereka kami kita ada atau sebagai para tersebut hingga namun tetapi menurut antara tahun hari baru " +
      "satu dua tiga bahwa seperti jika agar hanya setelah sejak pun lagi sangat secara bagi tak serta per belum sebuah " +
      "orang banyak beberapa setiap semua masyarakat pemerintah presiden menteri indonesia jakarta negara daerah kota warga " +
      "the of and to in is for on that with",
  ).split(" "),
);

/** The words of a MATCH expression from buildFtsQuery: every phrase is quoted, a prefix phrase ends in `"*`. */
function matchWords(match: string): { word: string; prefix: boolean }[] {
  const words: { word: string; prefix: boolean }[] = [];
  for (const phrase of match.matchAll(/"([^"]*)"(\*?)/g)) {
    const tokens = phrase[1].split(" ").filter(Boolean);
    tokens.forEach((word, i) => words.push({ word, prefix: phrase[2] === "*" && i === tokens.length - 1 }));
  }
  return words;
}

const letters = (word: string) => [...word].length;

/** A prefix shorter than MIN_PREFIX_LENGTH expands to a large share of the vocabulary: refused. */
export function assertPrefixesLongEnough(query: FtsQuery): void {
  for (const { word, prefix } of matchWords(query.match)) {
    if (prefix && letters(word) < MIN_PREFIX_LENGTH) {
      throw badInput(`a prefix search needs at least ${MIN_PREFIX_LENGTH} letters before the *`, { query: `prefix shorter than ${MIN_PREFIX_LENGTH} letters` });
    }
  }
}

export function searchPrice(query: FtsQuery): number {
  let price = 1;
  for (const { word, prefix } of matchWords(query.match)) {
    if (prefix) price += Math.max(2, 2 ** (7 - letters(word)));
    else price += COMMON_WORDS.has(word) || letters(word) <= 2 ? 3 : 1;
  }
  return price;
}
