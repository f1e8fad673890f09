/**
 * Everything PostgreSQL-specific about full-text search, beside fts.sqlite.ts with the same
 * role: the index table, how rows are written to it and how a query matches and ranks.
 *
 * Same behaviour as FTS5, by construction rather than by configuration:
 *  - The index holds the output of our own stemmer (stemText), as a tsvector built here in
 *    JavaScript with explicit positions and weights (title A, lead B, body C) and cast with
 *    `::tsvector`, so no text-search parser, dictionary or locale decides what a token is.
 *    One empty position separates the fields, so a phrase never spans title and lead, as in
 *    FTS5 where a phrase lives in one column.
 *  - The query is a tsquery built from our parsed phrases (fts-query.ts): `'a' <-> 'b'` for a
 *    phrase, `:*` for a prefix, `|` within a group, `&` between groups, `!` for exclusions.
 *    Tokens are letters and digits only; the text is quoted anyway and always bound as a
 *    parameter. User syntax never reaches to_tsquery.
 *  - Ranking is FTS5's bm25 with the same column weights (10/4/1), k1 = 1.2, b = 0.75, computed
 *    with the same floating-point operations in the same order, so equal data gives equal
 *    scores and the same order on both engines. Its inputs: the weighted count of each
 *    phrase's occurrences in the row (ts_rank_cd with weights scaled to ≤ 1 sums exactly the
 *    weights of the occurrences, phrase adjacency respected), the row's token count (stored),
 *    and corpus statistics (rows, tokens, rows matching each phrase) that FTS5 reads from its
 *    index and we count, caching them per process until the next write (or a few seconds, for
 *    writes by other processes).
 *
 * Limits of tsvector that FTS5 does not have, none reached by news articles: positions above
 * 16,383 are clamped (phrases beyond that point in a very long text stop matching exactly),
 * a lexeme keeps at most 256 positions, and a token over 2,047 bytes is not indexed.
 */
import type { DataSource, EntityManager, QueryRunner } from "typeorm";
import { onWriteCommitted } from "../db/write-lock";
import type { SearchExpression, SearchPhrase } from "./fts-query";
import { COLUMN_WEIGHTS } from "./fts.sqlite";
import { stemText } from "./indonesian-stemmer";

export const SEARCH_TABLE = "article_search";

type Runner = Pick<EntityManager, "query"> | Pick<QueryRunner, "query">;

const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_LEXEME = 256;
const MAX_LEXEME_BYTES = 2_047;
/** Rows per INSERT: 3 parameters each. */
const INSERT_CHUNK = 400;
const ID_CHUNK = 1_000;

/** ts_rank_cd wants weights in [0, 1], ordered {D, C, B, A}; scaled back after ranking. */
const WEIGHT_SCALE = Math.max(COLUMN_WEIGHTS.title, COLUMN_WEIGHTS.lead, COLUMN_WEIGHTS.body);
const RANK_WEIGHTS = `'{${[COLUMN_WEIGHTS.body, COLUMN_WEIGHTS.body, COLUMN_WEIGHTS.lead, COLUMN_WEIGHTS.title].map((w) => w / WEIGHT_SCALE).join(",")}}'::float4[]`;

export async function createSearchTable(runner: Runner): Promise<void> {
  // token_count rides in the primary key's index so the corpus size is an index-only scan.
  await runner.query(`CREATE TABLE "${SEARCH_TABLE}" (
    "article_id" integer NOT NULL REFERENCES "articles" ("id") ON DELETE CASCADE,
    "document" tsvector NOT NULL,
    "token_count" integer NOT NULL,
    CONSTRAINT "pk_article_search" PRIMARY KEY ("article_id") INCLUDE ("token_count"))`);
  await runner.query(`CREATE INDEX "ix_article_search_document" ON "${SEARCH_TABLE}" USING GIN ("document")`);
}

export async function dropSearchTable(runner: Runner): Promise<void> {
  await runner.query(`DROP TABLE IF EXISTS "${SEARCH_TABLE}"`);
}

/** A lexeme as tsvector/tsquery input: quoted, quotes and backslashes escaped. */
function quote(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

function tooLong(token: string): boolean {
  return token.length * 3 > MAX_LEXEME_BYTES && Buffer.byteLength(token) > MAX_LEXEME_BYTES;
}

/** Cuts a token to what a lexeme may hold (the index never holds longer ones, so it still matches nothing longer). */
function fitLexeme(token: string): string {
  if (!tooLong(token)) return token;
  let cut = token.slice(0, MAX_LEXEME_BYTES);
  while (Buffer.byteLength(cut) > MAX_LEXEME_BYTES) cut = cut.slice(0, -1);
  return cut;
}

/**
 * The tsvector text and token count of one article: every token of stemText(title), then
 * lead, then body, with its position and the field's weight letter.
 */
export function documentOf(row: { title: string | null; lead: string | null; body: string | null }): { document: string; tokenCount: number } {
  const positions = new Map<string, string[]>();
  let position = 0;
  let tokenCount = 0;
  const fields: [string | null, string][] = [
    [row.title, "A"],
    [row.lead, "B"],
    [row.body, "C"],
  ];
  for (const [text, weight] of fields) {
    const stems = stemText(text ?? "");
    if (stems.length > 0) {
      for (const token of stems.split(" ")) {
        position = Math.min(position + 1, MAX_POSITION);
        tokenCount += 1;
        if (tooLong(token)) continue;
        let list = positions.get(token);
        if (!list) positions.set(token, (list = []));
        if (list.length < MAX_POSITIONS_PER_LEXEME) list.push(`${position}${weight}`);
      }
    }
    position = Math.min(position + 1, MAX_POSITION);
  }
  const parts: string[] = [];
  for (const [lexeme, list] of positions) parts.push(`${quote(lexeme)}:${list.join(",")}`);
  return { document: parts.join(" "), tokenCount };
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

interface SourceRow {
  id: number;
  title: string;
  lead: string;
  body: string;
}

async function writeRows(runner: Runner, rows: SourceRow[]): Promise<void> {
  for (const chunk of chunks(rows, INSERT_CHUNK)) {
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const row of chunk) {
      const { document, tokenCount } = documentOf(row);
      const n = values.length;
      tuples.push(`($${n + 1}, $${n + 2}::tsvector, $${n + 3})`);
      values.push(row.id, document, tokenCount);
    }
    await runner.query(`INSERT INTO "${SEARCH_TABLE}" (article_id, document, token_count) VALUES ${tuples.join(", ")}`, values);
  }
}

/** As fts.sqlite.ts reindexRows: each id's row rewritten from the article's current text, or removed. */
export async function reindexRows(runner: Runner, articleIds: number[]): Promise<number> {
  const ids = [...new Set(articleIds.filter((id) => Number.isSafeInteger(id)))];
  let written = 0;
  for (const chunk of chunks(ids, ID_CHUNK)) {
    await runner.query(`DELETE FROM "${SEARCH_TABLE}" WHERE article_id = ANY($1::int[])`, [chunk]);
    const rows: SourceRow[] = await runner.query(`SELECT id, title, lead, body FROM articles WHERE id = ANY($1::int[])`, [chunk]);
    await writeRows(runner, rows);
    written += rows.length;
  }
  return written;
}

/** As fts.sqlite.ts rebuildIndex: the whole index from the articles table, in id order, in the caller's transaction. */
export async function rebuildIndex(runner: Runner, onProgress?: (rows: number) => void): Promise<number> {
  await runner.query(`DELETE FROM "${SEARCH_TABLE}"`);
  let lastId = 0;
  let total = 0;
  for (;;) {
    const rows: SourceRow[] = await runner.query(`SELECT id, title, lead, body FROM articles WHERE id > $1 ORDER BY id LIMIT $2`, [lastId, 2000]);
    if (rows.length === 0) break;
    await writeRows(runner, rows);
    total += rows.length;
    lastId = Number(rows[rows.length - 1].id);
    onProgress?.(total);
  }
  return total;
}

/** One phrase as tsquery text: `'kim' <-> 'jong'`, `'senja':*`. */
export function tsPhrase(phrase: SearchPhrase): string {
  const last = phrase.tokens.length - 1;
  return phrase.tokens.map((token, i) => `${quote(fitLexeme(token))}${phrase.prefix && i === last ? ":*" : ""}`).join(" <-> ");
}

/** The whole parsed query as tsquery text, with FTS5's meaning (see SearchExpression). */
export function toTsQuery(expression: SearchExpression): string {
  const groups = expression.groups.map((group) => `(${group.map((p) => `(${tsPhrase(p)})`).join(" | ")})`);
  const negatives = expression.negatives.map((p) => `!(${tsPhrase(p)})`);
  return [...groups, ...negatives].join(" & ");
}

/**
 * Corpus statistics bm25 needs, per database: rows and tokens in the index, and how many rows
 * match each phrase. Counting them costs a scan per phrase, so they are kept until a write
 * commits through this process (onWriteCommitted) or, for writes by other processes, at most
 * STATS_TTL_MS. A read that overlaps a write does not store what it counted.
 */
const STATS_TTL_MS = 5_000;
const MAX_CACHED_PHRASES = 10_000;

interface CorpusStats {
  generation: number;
  expires: number;
  rows: number;
  tokens: number;
  hits: Map<string, number>;
}

/**
 * Bumped by every write committed through this process, whatever its DataSource (a process may
 * read through a different pool than it writes through).
 */
let generation = 0;
let listening = false;
const cached = new WeakMap<object, CorpusStats>();

function currentGeneration(): number {
  if (!listening) {
    listening = true;
    onWriteCommitted(() => {
      generation += 1;
    });
  }
  return generation;
}

async function corpusStats(dataSource: DataSource, phrases: string[]): Promise<{ rows: number; tokens: number; hits: number[] }> {
  const started = currentGeneration();
  let stats = cached.get(dataSource);
  if (!stats || stats.expires < Date.now() || stats.generation !== started) {
    const [row] = await dataSource.query(`SELECT COUNT(*) AS n, COALESCE(SUM(token_count), 0) AS tokens FROM "${SEARCH_TABLE}"`);
    stats = { generation: started, expires: Date.now() + STATS_TTL_MS, rows: Number(row.n), tokens: Number(row.tokens), hits: new Map() };
  }
  const known = stats;
  const missing = [...new Set(phrases.filter((p) => !known.hits.has(p)))];
  if (missing.length > 0) {
    const counted = await Promise.all(
      missing.map(async (phrase) => {
        const [row] = await dataSource.query(`SELECT COUNT(*) AS n FROM "${SEARCH_TABLE}" WHERE document @@ $1::tsquery`, [phrase]);
        return Number(row.n);
      }),
    );
    if (known.hits.size + missing.length > MAX_CACHED_PHRASES) known.hits.clear();
    missing.forEach((phrase, i) => known.hits.set(phrase, counted[i]));
  }
  // Counted while a write committed: use the numbers for this search, but do not keep them.
  if (currentGeneration() === started) cached.set(dataSource, known);
  return { rows: known.rows, tokens: known.tokens, hits: phrases.map((p) => known.hits.get(p)!) };
}

const float = (name: string) => `CAST(:${name} AS float8)`;

/**
 * The matching part of a search as a derived table `(article_id, rank)`, lower rank better
 * (bm25 is negated, as FTS5's), with its parameters. FTS5's bm25 for one row is
 *   -Σ_i idf_i · (f_i · (k1 + 1)) / (f_i + k1 · (1 − b + b · D / avgdl))
 * over the positive phrases i (an excluded phrase never occurs in a matching row and adds 0),
 * idf_i = ln((N − n_i + 0.5) / (n_i + 0.5)), or 1e-6 when that is ≤ 0.
 */
export async function prepareMatch(dataSource: DataSource, expression: SearchExpression): Promise<{ source: string; params: Record<string, unknown> }> {
  const phrases = expression.groups.flat().map(tsPhrase);
  const { rows, tokens, hits } = await corpusStats(dataSource, phrases);
  const params: Record<string, unknown> = { searchQuery: toTsQuery(expression), ftsRows: rows, ftsAvgdl: rows > 0 ? tokens / rows : 1 };
  // FTS5 computes avgdl in C as (double)nToken / (double)nRow; JavaScript's division is the same IEEE operation.
  const k1 = "CAST(1.2 AS float8)";
  const b = "CAST(0.75 AS float8)";
  const terms = phrases.map((phrase, i) => {
    params[`ftsPhrase${i}`] = phrase;
    params[`ftsHits${i}`] = hits[i];
    const f = `round(CAST(ts_rank_cd(${RANK_WEIGHTS}, s.document, CAST(:ftsPhrase${i} AS tsquery)) AS float8) * ${WEIGHT_SCALE})`;
    const half = "CAST(0.5 AS float8)";
    const idf = `(SELECT CASE WHEN x > 0 THEN x ELSE CAST(1e-6 AS float8) END FROM (SELECT ln((${float("ftsRows")} - ${float(`ftsHits${i}`)} + ${half}) / (${float(`ftsHits${i}`)} + ${half})) AS x) idf)`;
    return `${idf} * ((${f} * (${k1} + CAST(1.0 AS float8))) / (${f} + ${k1} * (CAST(1 AS float8) - ${b} + ${b} * CAST(s.token_count AS float8) / ${float("ftsAvgdl")})))`;
  });
  const score = terms.reduce((sum, term) => `(${sum} + ${term})`, "CAST(0.0 AS float8)");
  const source = `(SELECT s.article_id, CAST(-1.0 AS float8) * ${score} AS rank FROM "${SEARCH_TABLE}" s WHERE s.document @@ CAST(:searchQuery AS tsquery))`;
  return { source, params };
}

/** Narrow, as in fts.sqlite.ts: only tsquery/tsvector input errors are blamed on the query. */
export function isMatchError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /syntax error in tsquery|tsquery|word is too long/i.test(message);
}
