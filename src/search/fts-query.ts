/**
 * Turns free-form user search input into an FTS5 MATCH expression over the
 * stemmed index (see indonesian-stemmer.ts: the FTS columns title, lead and
 * body hold `stemText` output, not the original text). parseSearchQuery gives
 * the same query as a structure, which fts.postgres.ts turns into a tsquery.
 *
 * User input never reaches the FTS5 parser as-is. We parse a small query
 * language ourselves and re-emit every token inside double quotes, so FTS5
 * keywords (AND, OR, NOT, NEAR), column filters (`title:`), `^`, `+`,
 * parentheses and stray quotes are all inert. Tokens only ever contain
 * letters and digits, so the emitted strings need no escaping.
 *
 * Supported syntax:
 *   word         every plain word is required (implicit AND)
 *   "a phrase"   consecutive words; curly quotes work too; an unterminated
 *                quote runs to the end of the input
 *   word*        prefix match on the folded (unstemmed) word
 *   -word        exclude; also -"a phrase". Ignored unless some positive
 *                term remains, because FTS5 NOT is binary.
 *   NOT word     same as -word (uppercase only)
 *   a OR b       either (uppercase only); binds tighter than the implicit AND
 *   AND          accepted and ignored (uppercase only)
 * Anything else that is not a letter or digit separates tokens. Words glued
 * by punctuation (mata-mata, covid-19, title:foo) become a phrase, which is
 * also how the indexer sees them.
 */
import { foldText, stemText } from './indonesian-stemmer';

// Re-exported so callers can fold with exactly the function the index used.
export { foldText } from './indonesian-stemmer';

/** Default cap on tokens per query (phrase words count individually). */
export const DEFAULT_MAX_TERMS = 32;
/** Hard ceiling for `maxTerms`, whatever the caller asks for. */
export const MAX_TERMS_LIMIT = 128;
/** Input beyond this many UTF-16 units is ignored before parsing, so a
 *  megabyte-sized query costs no more than a 10,000-character one. */
export const MAX_INPUT_CHARS = 10_000;

/** One phrase of a parsed query: consecutive index tokens; with `prefix`, the last is a prefix. */
export interface SearchPhrase {
  tokens: string[];
  prefix: boolean;
}

/**
 * A parsed query, independent of the engine: every group must match (AND), a group matches when
 * any of its phrases does (OR), and no negative phrase may match. Phrases are deduplicated
 * exactly as in the FTS5 expression, and listed in the order they appear in it, which is the
 * order bm25 sums them in (so another engine can rank identically).
 */
export interface SearchExpression {
  groups: SearchPhrase[][];
  negatives: SearchPhrase[];
  /** As FtsQuery.terms. */
  terms: string[];
}

export interface FtsQuery {
  /** Expression for `WHERE fts MATCH ?` (always bind it as a parameter). */
  match: string;
  /**
   * Positive search terms, folded but not stemmed, for highlighting
   * (`buildSnippet`). Prefix terms keep their trailing `*`; a phrase is one
   * term with its words space-joined. Excluded terms are not listed.
   */
  terms: string[];
}

interface Clause {
  negated: boolean;
  phrase: SearchPhrase;
  /** FTS5 phrase, e.g. `"tembak"`, `"kim jong"` or `"senja"*`. */
  fts: string;
  /** Folded tokens for highlighting, a phrase space-joined; a prefix carries its `*`. */
  highlight: string[];
  tokenCount: number;
}

type Item = Clause | 'OR';

const TOKEN_RE = /[\p{L}\p{N}]+/gu;
const QUOTES = /[\u201C\u201D\u201E\u201F\u00AB\u00BB\uFF02]/g;
const WORD_CHAR = /[\p{L}\p{N}]/u;

function tokenize(s: string): string[] {
  return foldText(s).match(TOKEN_RE) ?? [];
}

/**
 * Builds one phrase clause from raw text. Stems all tokens except a
 * trailing prefix token: a prefix such as `senja*` must match the indexed
 * stem `senjata`, and running the stemmer on the fragment could cut or
 * recode it into something that is no longer a prefix of anything (a
 * fragment like "menemba" would become "temba"). The cost is that a prefix
 * of an affixed form (`pembangun*`) does not match, since the index only
 * holds stems; users type prefixes of roots far more often.
 */
function makeClause(raw: string, negated: boolean, prefix: boolean, budget: number): Clause | null {
  let tokens = tokenize(raw);
  if (tokens.length === 0 || budget <= 0) return null;
  // stemText on the raw text (not on the tokens) so hyphen-sensitive rules
  // such as reduplication (memukul-mukul) behave exactly as at index time;
  // it yields the same tokens in the same order as `tokenize`.
  let stems = stemText(raw).split(' ');
  if (tokens.length > budget) {
    tokens = tokens.slice(0, budget);
    stems = stems.slice(0, budget);
    prefix = false; // the prefix token was the one cut off
  }
  if (prefix) stems[stems.length - 1] = tokens[tokens.length - 1];
  // A phrase is highlighted as a whole (its words space-joined), never word by word.
  const highlight = [tokens.join(' ') + (prefix ? '*' : '')];
  return {
    negated,
    phrase: { tokens: stems, prefix },
    fts: `"${stems.join(' ')}"${prefix ? '*' : ''}`,
    highlight,
    tokenCount: tokens.length,
  };
}

function lex(input: string, maxTerms: number): Item[] {
  const s = input.slice(0, MAX_INPUT_CHARS).normalize('NFKC').replace(QUOTES, '"');
  const items: Item[] = [];
  let budget = maxTerms;
  let pendingNot = false;
  let i = 0;

  const push = (clause: Clause | null): void => {
    if (!clause) return;
    items.push(clause);
    budget -= clause.tokenCount;
  };

  while (i < s.length && budget > 0) {
    const ch = s[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }

    const start = i;
    let j = i;
    while (s[j] === '-') j++;
    const dashed = j > start;
    const negated = pendingNot || dashed;

    if (s[j] === '"') {
      const close = s.indexOf('"', j + 1);
      const end = close < 0 ? s.length : close;
      const body = s.slice(j + 1, end);
      i = end + 1;
      const prefix = s[i] === '*';
      if (prefix) i++;
      const clause = makeClause(body, negated, prefix, budget);
      if (clause) pendingNot = false;
      push(clause);
      continue;
    }

    let end = j;
    while (end < s.length && s[end] !== '"' && !/\s/.test(s[end])) end++;
    const chunk = s.slice(j, end);
    i = end;

    if (!dashed) {
      if (chunk === 'OR') {
        items.push('OR');
        continue;
      }
      if (chunk === 'AND') continue;
      if (chunk === 'NOT') {
        pendingNot = true;
        continue;
      }
    }

    // `*` right after the last letter/digit (possibly followed by other
    // punctuation, as in `senja*)`) marks a prefix; a leading `*` means nothing.
    let lastWord = -1;
    for (let k = chunk.length - 1; k >= 0; k--) {
      if (WORD_CHAR.test(chunk[k])) {
        lastWord = k;
        break;
      }
    }
    const prefix = lastWord >= 0 && chunk.slice(lastWord + 1).includes('*');
    const clause = makeClause(chunk, negated, prefix, budget);
    if (clause) pendingNot = false;
    push(clause);
  }
  return items;
}

/**
 * Parse user input into a search expression (see SearchExpression). Returns null when nothing
 * searchable remains (only punctuation, emoji, operators, or only excluded terms), so the
 * caller can reject the query or return an empty result instead of asking the index.
 *
 * At most `opts.maxTerms` tokens (default 32, capped at 128) are used;
 * the rest of the input is ignored, as is anything past 10,000 characters.
 */
export function parseSearchQuery(input: string, opts?: { maxTerms?: number }): SearchExpression | null {
  if (typeof input !== 'string' || input.length === 0) return null;
  const requested = opts?.maxTerms ?? DEFAULT_MAX_TERMS;
  const maxTerms = Number.isFinite(requested)
    ? Math.max(1, Math.min(MAX_TERMS_LIMIT, Math.floor(requested)))
    : DEFAULT_MAX_TERMS;

  const items = lex(input, maxTerms);

  // Group positive clauses into OR-chains; an OR only joins two positive
  // clauses that are directly adjacent to it, otherwise it is ignored.
  const groups: Clause[][] = [];
  const negatives: Clause[] = [];
  let joinNext = false;
  let prevPositive = false;
  for (const item of items) {
    if (item === 'OR') {
      joinNext = prevPositive;
      prevPositive = false;
      continue;
    }
    if (item.negated) {
      negatives.push(item);
      joinNext = false;
      prevPositive = false;
      continue;
    }
    if (joinNext && groups.length > 0) groups[groups.length - 1].push(item);
    else groups.push([item]);
    joinNext = false;
    prevPositive = true;
  }
  if (groups.length === 0) return null;

  // Deduplicated by their FTS5 text, so both engines see the same phrases.
  const unique = (clauses: Clause[]): Clause[] => [...new Map(clauses.map((c) => [c.fts, c])).values()];
  const groupKey = (g: Clause[]): string => (g.length > 1 ? `(${g.map((c) => c.fts).join(' OR ')})` : g[0].fts);
  const uniqueGroups = [...new Map(groups.map((g) => unique(g)).map((g) => [groupKey(g), g])).values()];

  const dedupe = (list: string[]): string[] => [...new Set(list)];
  return {
    groups: uniqueGroups.map((g) => g.map((c) => c.phrase)),
    negatives: unique(negatives).map((c) => c.phrase),
    terms: dedupe(groups.flat().flatMap((c) => c.highlight)),
  };
}

/** The FTS5 text of one phrase: `"kim jong"`, `"senja"*`. Tokens are letters and digits only. */
function fts5Phrase(phrase: SearchPhrase): string {
  return `"${phrase.tokens.join(' ')}"${phrase.prefix ? '*' : ''}`;
}

/** The FTS5 MATCH expression of a parsed query. */
export function toFts5Match(expression: SearchExpression): string {
  const groupExprs = expression.groups.map((g) => (g.length > 1 ? `(${g.map(fts5Phrase).join(' OR ')})` : fts5Phrase(g[0])));
  let match = groupExprs.join(' AND ');
  const negExprs = expression.negatives.map(fts5Phrase);
  if (negExprs.length > 0) {
    const pos = groupExprs.length > 1 ? `(${match})` : match;
    const neg = negExprs.length > 1 ? `(${negExprs.join(' OR ')})` : negExprs[0];
    match = `${pos} NOT ${neg}`;
  }
  return match;
}

/**
 * Parse user input into an FTS5 MATCH expression over the stemmed columns; null as for
 * parseSearchQuery.
 */
export function buildFtsQuery(input: string, opts?: { maxTerms?: number }): FtsQuery | null {
  const expression = parseSearchQuery(input, opts);
  if (!expression) return null;
  return { match: toFts5Match(expression), terms: expression.terms };
}
