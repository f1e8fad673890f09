/**
 * Search-result snippets built in JavaScript from the original text.
 *
 * FTS5's own snippet()/highlight() would run over the stemmed index
 * columns and return text like "senjata rusia serang", so instead we
 * re-tokenize the stored original, decide per word whether it matches the
 * query the same way the index would (stem equality, or prefix), pick the
 * densest window of words and highlight it.
 */
import { foldText, inheritsStem, stemWord } from './indonesian-stemmer';

export interface SnippetOptions {
  /** Inserted raw before each matched word: trusted markup such as `<mark>`. */
  open: string;
  /** Inserted raw after each matched word. */
  close: string;
  /** Window size in words; default 24. */
  maxWords?: number;
}

const DEFAULT_MAX_WORDS = 24;
const ELLIPSIS = '\u2026';
// A word at a given index (sticky); marks are included so a decomposed "e\u0301" stays one word.
const WORD_AT = /[\p{L}\p{N}\p{M}]+/uy;
const TOKEN_RE = /[\p{L}\p{N}]+/gu;

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);
}

interface Phrase {
  /** Stems of the phrase's words; the last is a raw prefix when `prefix`. */
  stems: string[];
  prefix: boolean;
  key: string;
}

interface Matcher {
  stems: Set<string>;
  prefixes: string[];
  phrases: Phrase[];
  /**
   * What a word must contain for its stem to matter: each wanted stem or prefix without its
   * first letter. A stem is a piece of its word with at most its first letter restored
   * (menulis → tulis; see stemWord), so a word containing none of these has no stem equal to
   * a wanted one or starting with a wanted prefix, and is not stemmed at all.
   */
  cores: string[];
}

/**
 * `terms` are what buildFtsQuery returns: folded, unstemmed words, a
 * trailing `*` marking a prefix term, a phrase as its words space-joined.
 * Raw user words also work, since they are folded and stemmed here.
 */
function compileTerms(terms: string[]): Matcher {
  const stems = new Set<string>();
  const prefixes: string[] = [];
  const phrases: Phrase[] = [];
  for (const term of terms) {
    const isPrefix = term.endsWith('*');
    const tokens = foldText(isPrefix ? term.slice(0, -1) : term).match(TOKEN_RE) ?? [];
    if (tokens.length > 1) {
      phrases.push({ stems: tokens.map((t, i) => (isPrefix && i === tokens.length - 1 ? t : stemWord(t))), prefix: isPrefix, key: term });
    } else if (tokens.length === 1) {
      if (isPrefix) prefixes.push(tokens[0]);
      else stems.add(stemWord(tokens[0]));
    }
  }
  const wanted = [...stems, ...prefixes, ...phrases.flatMap((phrase) => phrase.stems)];
  return { stems, prefixes, phrases, cores: [...new Set(wanted.map((w) => w.slice(1)))] };
}

function mayMatchByStem(token: string, m: Matcher): boolean {
  for (const core of m.cores) if (token.includes(core)) return true;
  return false;
}

interface Token {
  token: string;
  /** Null when no wanted stem can be it (see Matcher.cores). */
  stem: string | null;
  /** Index of the word it belongs to. */
  word: number;
}

interface Word {
  start: number;
  end: number;
  /** Key of the query term this word matched, or null. */
  match: string | null;
}

function matchToken(token: string, stem: string | null, m: Matcher): string | null {
  if (stem !== null && m.stems.has(stem)) return stem;
  // The index holds stems, so `senja*` finds "persenjataan" through its stem
  // "senjata"; check the stem as well as the surface form.
  for (const p of m.prefixes) {
    if (token.startsWith(p) || (stem !== null && stem.startsWith(p))) return p + '*';
  }
  return null;
}

function isAsciiLetterOrDigit(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

/**
 * Runs for every word of every hit on a search page (twenty texts of hundreds of words), so
 * the common case stays cheap. Words are runs of letters, digits and marks; a run of ASCII
 * letters and digits is read by character code and is its own lowercase token (what foldText
 * and TOKEN_RE make of it), with no match object, normalizing or splitting; a word with any
 * other character goes through WORD_AT and foldText. Tokens are kept for phrase matching only
 * when the query has a phrase.
 */
function scanWords(text: string, m: Matcher): Word[] {
  const words: Word[] = [];
  // Every token in text order, for phrase matching.
  const parts: Token[] | null = m.phrases.length > 0 ? [] : null;
  // Lowercasing keeps offsets unless a character lowercases to two (İ); ASCII words are cut from it.
  const lower = text.toLowerCase();
  const sameOffsets = lower.length === text.length;
  let prevToken = '';
  let prevStem: string | null = null;
  let prevEnd = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    let end = i;
    let tokens: string[] | null = null;
    if (isAsciiLetterOrDigit(code)) {
      end = i + 1;
      while (end < text.length && isAsciiLetterOrDigit(text.charCodeAt(end))) end++;
      // A letter, digit or mark beyond ASCII right after makes it a longer word: WORD_AT reads that.
      if (end === text.length || text.charCodeAt(end) < 0x80) tokens = [sameOffsets ? lower.slice(i, end) : text.slice(i, end).toLowerCase()];
    } else if (code < 0x80) {
      i++;
      continue;
    }
    if (!tokens) {
      WORD_AT.lastIndex = i;
      const found = WORD_AT.exec(text);
      if (!found) {
        // Not a word character; a surrogate pair is one character.
        const next = text.charCodeAt(i + 1);
        i += code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
        continue;
      }
      end = i + found[0].length;
      // Folding can split one original word (e.g. "½" → "1⁄2"); any part counts.
      tokens = foldText(found[0]).match(TOKEN_RE) ?? [];
    }
    const start = i;
    // Only a one-character separator can make a token inherit its neighbour's stem.
    const separator = start - prevEnd === 1 ? text[prevEnd] : '';
    let match: string | null = null;
    for (const token of tokens) {
      // A reduplicated tail takes its neighbour's stem, which this scan may not have needed yet.
      const stem: string | null =
        separator && inheritsStem(prevToken, separator, token) ? (prevStem ?? stemWord(prevToken)) : mayMatchByStem(token, m) ? stemWord(token) : null;
      match ??= matchToken(token, stem, m);
      parts?.push({ token, stem, word: words.length });
      prevToken = token;
      prevStem = stem;
    }
    prevEnd = end;
    words.push({ start, end, match });
    i = end;
  }
  if (parts) markPhrases(words, parts, m.phrases);
  return words;
}

/** A phrase marks its words only where all of them stand together, in order. */
function markPhrases(words: Word[], parts: Token[], phrases: Phrase[]): void {
  for (const phrase of phrases) {
    const n = phrase.stems.length;
    for (let i = 0; i + n <= parts.length; i++) {
      let whole = true;
      for (let k = 0; k < n && whole; k++) {
        const part = parts[i + k];
        const want = phrase.stems[k];
        whole = phrase.prefix && k === n - 1 ? part.token.startsWith(want) || (part.stem?.startsWith(want) ?? false) : part.stem === want;
      }
      if (!whole) continue;
      for (let k = 0; k < n; k++) words[parts[i + k].word].match ??= phrase.key;
    }
  }
}

/** Start of the `size`-word window with the most distinct matched terms,
 *  then the most matched words, then the earliest. */
function bestWindow(words: Word[], size: number): number {
  const counts = new Map<string, number>();
  let total = 0;
  const add = (w: Word, delta: number): void => {
    if (!w.match) return;
    total += delta;
    const c = (counts.get(w.match) ?? 0) + delta;
    if (c === 0) counts.delete(w.match);
    else counts.set(w.match, c);
  };
  for (let i = 0; i < size; i++) add(words[i], 1);
  let best = 0;
  let bestDistinct = counts.size;
  let bestTotal = total;
  for (let s = 1; s + size <= words.length; s++) {
    add(words[s - 1], -1);
    add(words[s + size - 1], 1);
    if (counts.size > bestDistinct || (counts.size === bestDistinct && total > bestTotal)) {
      best = s;
      bestDistinct = counts.size;
      bestTotal = total;
    }
  }
  if (bestTotal === 0) return 0;
  // Centre the matched span so highlights get context on both sides.
  let first = best;
  while (!words[first].match) first++;
  let last = best + size - 1;
  while (!words[last].match) last--;
  const slack = size - (last - first + 1);
  return Math.max(0, Math.min(words.length - size, first - Math.floor(slack / 2)));
}

/**
 * HTML snippet of about `maxWords` words from `text`, around the densest
 * cluster of query matches, with matched words wrapped in `open`/`close`.
 * All text is HTML-escaped; `open`/`close` are inserted verbatim. A `…`
 * marks each end where text was cut. Whitespace runs collapse to one space.
 * Without any match the snippet is the beginning of the text.
 *
 * `terms`: as returned by `buildFtsQuery(...).terms` (folded words,
 * prefix terms ending in `*`, phrases space-joined). A word is highlighted
 * when its stem equals the stem of a term, when it or its stem starts with a
 * prefix term, or when it stands in a whole occurrence of a phrase.
 */
export function buildSnippet(text: string, terms: string[], opts: SnippetOptions): string {
  if (!text) return '';
  const requested = opts.maxWords ?? DEFAULT_MAX_WORDS;
  const size = Number.isFinite(requested) ? Math.max(1, Math.floor(requested)) : DEFAULT_MAX_WORDS;
  const words = scanWords(text, compileTerms(terms));
  const collapse = (s: string): string => s.replace(/\s+/g, ' ');

  if (words.length === 0) return escapeHtml(collapse(text).trim());

  const start = words.length > size ? bestWindow(words, size) : 0;
  const end = Math.min(words.length, start + size);
  const from = start === 0 ? 0 : words[start].start;
  const to = end === words.length ? text.length : words[end - 1].end;

  let out = '';
  let pos = from;
  for (let i = start; i < end; i++) {
    const w = words[i];
    out += escapeHtml(collapse(text.slice(pos, w.start)));
    const word = escapeHtml(text.slice(w.start, w.end));
    out += w.match ? opts.open + word + opts.close : word;
    pos = w.end;
  }
  out += escapeHtml(collapse(text.slice(pos, to)));
  // Trim only whitespace at the ends; the markers are never at risk because
  // they sit inside, next to a word.
  out = out.replace(/^ +| +$/g, '');
  return (start > 0 ? ELLIPSIS : '') + out + (end < words.length ? ELLIPSIS : '');
}
