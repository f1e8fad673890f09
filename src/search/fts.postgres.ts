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
 *    and corpus statistics that FTS5 reads from its index: rows and tokens in the index and,
 *    per word, how many rows hold it, kept exact by the writers in article_search_terms (see
 *    TERMS_TABLE); for a phrase of several words or a prefix, the rows matching it are counted
 *    and the count kept per process until the next write (or a few seconds, for writes by
 *    other processes).
 *
 * Limits of tsvector that FTS5 does not have, none reached by news articles: positions above
 * 16,383 are clamped (phrases beyond that point in a very long text stop matching exactly),
 * a lexeme keeps at most 256 positions, and a token over 2,047 bytes is not indexed.
 */
import type { EntityManager, QueryRunner } from "typeorm";
import { onWriteCommitted } from "../db/write-lock";
import type { SearchExpression, SearchPhrase } from "./fts-query";
import { COLUMN_WEIGHTS } from "./fts.sqlite";
import { stemText } from "./indonesian-stemmer";
import { chunks } from "../lib/chunks";

export const SEARCH_TABLE = "article_search";
/**
 * Document frequencies: for each lexeme, how many index rows hold it; the row with the empty
 * lexeme (never a real one) holds the number of rows and their total tokens. Counting them at
 * query time meant a heap visit per matching row (hundreds of milliseconds for a common word
 * at 20,000 articles); writers keep them instead, in the same transaction as the rows, locking
 * the lexemes they change in one order so concurrent writers queue rather than deadlock.
 */
export const TERMS_TABLE = "article_search_terms";
const TOTALS = "";

type Runner = Pick<EntityManager, "query"> | Pick<QueryRunner, "query">;
/**
 * The instant an article became or becomes visible to anonymous readers: published_at for a
 * published, not deleted article, else NULL (as article_tags.live_at). Stored beside the
 * document so a public search matches, ranks and pages on this table alone and reads articles
 * only for the page's hits. Checking each match against its article (an index probe and a
 * heap page per match, then its author) was three quarters of the page statement's buffer
 * reads and a third of its time at 100,000 articles, and the count's join drew a parallel
 * plan whose worker start-up cost more than the count. An instant rather than a flag, so a
 * scheduled article appears at its instant with no job rewriting the row.
 */
const LIVE_AT_OF_ARTICLE = `CASE WHEN status = 'published' AND deleted_at IS NULL THEN published_at END`;

/** Runs SQL with TypeORM-style `:name` parameters on the read side (queryNamed, or a read pool). */
export type NamedQuery = (sql: string, params: Record<string, unknown>) => Promise<Record<string, unknown>[]>;

const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_LEXEME = 256;
const MAX_LEXEME_BYTES = 2_047;
/** Rows per INSERT: 4 parameters each. */
const INSERT_CHUNK = 400;
const ID_CHUNK = 1_000;
/** Lexemes per document-frequency upsert. */
const TERMS_CHUNK = 5_000;

/** ts_rank_cd wants weights in [0, 1], ordered {D, C, B, A}; scaled back after ranking. */
const WEIGHT_SCALE = Math.max(COLUMN_WEIGHTS.title, COLUMN_WEIGHTS.lead, COLUMN_WEIGHTS.body);
const RANK_WEIGHTS = `'{${[COLUMN_WEIGHTS.body, COLUMN_WEIGHTS.body, COLUMN_WEIGHTS.lead, COLUMN_WEIGHTS.title].map((w) => w / WEIGHT_SCALE).join(",")}}'::float4[]`;

export async function createSearchTable(runner: Runner): Promise<void> {
  // No foreign key: as with FTS5, an article's row leaves through reindexRows, which keeps the
  // document frequencies in step; a cascade would remove it behind their back.
  await runner.query(`CREATE TABLE "${SEARCH_TABLE}" (
    "article_id" integer NOT NULL,
    "document" tsvector NOT NULL,
    "token_count" integer NOT NULL,
    "live_at" timestamptz,
    CONSTRAINT "pk_article_search" PRIMARY KEY ("article_id"))`);
  // An article's tsvector is a few kB, over the 2 kB at which PostgreSQL would move it to the
  // TOAST table; ranking reads it for every match, and a TOAST fetch per read made ranking
  // 3–5 times slower at 20,000 articles than keeping it in the row (STORAGE MAIN: compressed
  // in place, out of line only when a row cannot fit a page).
  await runner.query(`ALTER TABLE "${SEARCH_TABLE}" ALTER COLUMN "document" SET STORAGE MAIN`);
  await runner.query(`CREATE INDEX "ix_article_search_document" ON "${SEARCH_TABLE}" USING GIN ("document")`);
  await runner.query(`CREATE TABLE "${TERMS_TABLE}" (
    "lexeme" text PRIMARY KEY,
    "documents" integer NOT NULL,
    "tokens" bigint NOT NULL DEFAULT 0)`);
  await runner.query(`INSERT INTO "${TERMS_TABLE}" (lexeme, documents, tokens) VALUES ('', 0, 0)`);
}

export async function dropSearchTable(runner: Runner): Promise<void> {
  await runner.query(`DROP TABLE IF EXISTS "${TERMS_TABLE}"`);
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
export function documentOf(row: { title: string | null; lead: string | null; body: string | null }): { document: string; tokenCount: number; lexemes: string[] } {
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
  return { document: parts.join(" "), tokenCount, lexemes: [...positions.keys()] };
}

/** Changes to article_search_terms: documents per lexeme (TOTALS: rows), and total tokens. */
class TermDeltas {
  readonly documents = new Map<string, number>();
  tokens = 0;

  add(lexemes: Iterable<string>, tokenCount: number, sign: 1 | -1): void {
    for (const lexeme of lexemes) this.documents.set(lexeme, (this.documents.get(lexeme) ?? 0) + sign);
    this.documents.set(TOTALS, (this.documents.get(TOTALS) ?? 0) + sign);
    this.tokens += sign * tokenCount;
  }

  /** One statement per chunk, lexemes in one fixed order (so two writers never wait on each other in a cycle). */
  async apply(runner: Runner): Promise<void> {
    const changed = [...this.documents].filter(([lexeme, delta]) => delta !== 0 || lexeme === TOTALS).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const chunk of chunks(changed, TERMS_CHUNK)) {
      const tokens = chunk.map(([lexeme]) => (lexeme === TOTALS ? this.tokens : 0));
      await runner.query(
        `INSERT INTO "${TERMS_TABLE}" AS t (lexeme, documents, tokens)
         SELECT lexeme, documents, tokens FROM unnest($1::text[], $2::int[], $3::bigint[]) WITH ORDINALITY AS d(lexeme, documents, tokens, n) ORDER BY n
         ON CONFLICT (lexeme) DO UPDATE SET documents = t.documents + EXCLUDED.documents, tokens = t.tokens + EXCLUDED.tokens`,
        [chunk.map(([lexeme]) => lexeme), chunk.map(([, delta]) => delta), tokens],
      );
    }
    // Words no longer in any article; the totals row stays.
    const gone = changed.filter(([lexeme, delta]) => delta < 0 && lexeme !== TOTALS).map(([lexeme]) => lexeme);
    if (gone.length > 0) await runner.query(`DELETE FROM "${TERMS_TABLE}" WHERE lexeme = ANY($1::text[]) AND documents <= 0`, [gone]);
  }
}

interface SourceRow {
  id: number;
  title: string;
  lead: string;
  body: string;
  live_at: Date | null;
}

const SOURCE_COLUMNS = `id, title, lead, body, ${LIVE_AT_OF_ARTICLE} AS live_at`;

async function writeRows(runner: Runner, rows: SourceRow[], deltas: TermDeltas): Promise<void> {
  for (const chunk of chunks(rows, INSERT_CHUNK)) {
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const row of chunk) {
      const { document, tokenCount, lexemes } = documentOf(row);
      deltas.add(lexemes, tokenCount, 1);
      const n = values.length;
      tuples.push(`($${n + 1}, $${n + 2}::tsvector, $${n + 3}, $${n + 4}::timestamptz)`);
      values.push(row.id, document, tokenCount, row.live_at);
    }
    await runner.query(`INSERT INTO "${SEARCH_TABLE}" (article_id, document, token_count, live_at) VALUES ${tuples.join(", ")}`, values);
  }
}

/** As fts.sqlite.ts reindexRows: each id's row rewritten from the article's current text, or removed. */
export async function reindexRows(runner: Runner, articleIds: number[]): Promise<number> {
  const ids = [...new Set(articleIds.filter((id) => Number.isSafeInteger(id)))];
  const deltas = new TermDeltas();
  let written = 0;
  for (const chunk of chunks(ids, ID_CHUNK)) {
    // Wrapped in a SELECT: TypeORM hands back [rows, count] for a DELETE … RETURNING.
    const removed = (await runner.query(
      `WITH removed AS (DELETE FROM "${SEARCH_TABLE}" WHERE article_id = ANY($1::int[]) RETURNING document, token_count)
       SELECT tsvector_to_array(document) AS lexemes, token_count FROM removed`,
      [chunk],
    )) as { lexemes: string[]; token_count: number }[];
    for (const row of removed) deltas.add(row.lexemes, Number(row.token_count), -1);
    const rows = (await runner.query(`SELECT ${SOURCE_COLUMNS} FROM articles WHERE id = ANY($1::int[])`, [chunk])) as SourceRow[];
    await writeRows(runner, rows, deltas);
    written += rows.length;
  }
  await deltas.apply(runner);
  return written;
}

/** As fts.sqlite.ts rebuildIndex: the whole index from the articles table, in id order, in the caller's transaction. */
export async function rebuildIndex(runner: Runner, onProgress?: (rows: number) => void): Promise<number> {
  await runner.query(`DELETE FROM "${SEARCH_TABLE}"`);
  await runner.query(`DELETE FROM "${TERMS_TABLE}"`);
  await runner.query(`INSERT INTO "${TERMS_TABLE}" (lexeme, documents, tokens) VALUES ('', 0, 0)`);
  const deltas = new TermDeltas();
  let lastId = 0;
  let total = 0;
  for (;;) {
    const rows = (await runner.query(`SELECT ${SOURCE_COLUMNS} FROM articles WHERE id > $1 ORDER BY id LIMIT $2`, [lastId, 2000])) as SourceRow[];
    if (rows.length === 0) break;
    await writeRows(runner, rows, deltas);
    total += rows.length;
    lastId = Number(rows[rows.length - 1].id);
    onProgress?.(total);
  }
  await deltas.apply(runner);
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
 * Rows matching a phrase of several words or a prefix: not in article_search_terms, so
 * counted, and kept until a write commits through this process (onWriteCommitted) or, for
 * writes by other processes, at most COUNT_TTL_MS. A count that overlaps a write is used
 * for its search but not kept. Kept per `cacheKey` (the read DataSource or pool).
 */
const COUNT_TTL_MS = 5_000;
const MAX_CACHED_PHRASES = 10_000;

interface PhraseCounts {
  generation: number;
  expires: number;
  hits: Map<string, number>;
}

/** Bumped by every write committed through this process, whatever its DataSource. */
let generation = 0;
let listening = false;
const cached = new WeakMap<object, PhraseCounts>();

function currentGeneration(): number {
  if (!listening) {
    listening = true;
    onWriteCommitted(() => {
      generation += 1;
    });
  }
  return generation;
}

async function countPhrases(query: NamedQuery, cacheKey: object, phrases: string[]): Promise<Map<string, number>> {
  const started = currentGeneration();
  let counts = cached.get(cacheKey);
  if (!counts || counts.expires < Date.now() || counts.generation !== started) {
    counts = { generation: started, expires: Date.now() + COUNT_TTL_MS, hits: new Map() };
  }
  const known = counts;
  const missing = [...new Set(phrases.filter((p) => !known.hits.has(p)))];
  if (missing.length > 0) {
    const counted = await Promise.all(
      missing.map(async (phrase) => {
        const [row] = await query(`SELECT COUNT(*) AS n FROM "${SEARCH_TABLE}" WHERE document @@ CAST(:phrase AS tsquery)`, { phrase });
        return Number(row.n);
      }),
    );
    if (known.hits.size + missing.length > MAX_CACHED_PHRASES) known.hits.clear();
    missing.forEach((phrase, i) => known.hits.set(phrase, counted[i]));
  }
  if (currentGeneration() === started) cached.set(cacheKey, known);
  return known.hits;
}

/** bm25's constants as FTS5 has them (fts5_aux.c), as float8 so every step is double arithmetic. */
const K1 = "CAST(1.2 AS float8)";
const B = "CAST(0.75 AS float8)";

/**
 * The matching part of a search as a derived table `(article_id, rank)`, lower rank better
 * (bm25 is negated, as FTS5's), with its parameters. FTS5's bm25 for one row is
 *   -Σ_i idf_i · (f_i · (k1 + 1)) / (f_i + k1 · (1 − b + b · D / avgdl))
 * over the positive phrases i (an excluded phrase never occurs in a matching row and adds 0),
 * idf_i = ln((N − n_i + 0.5) / (n_i + 0.5)), or 1e-6 when that is ≤ 0.
 */
export async function prepareMatch(
  query: NamedQuery,
  cacheKey: object,
  expression: SearchExpression,
  options: { liveAt?: unknown } = {},
): Promise<{ source: string; countSource: string; params: Record<string, unknown>; liveOnly: boolean }> {
  const phrases = expression.groups.flat();
  const single = (p: SearchPhrase) => p.tokens.length === 1 && !p.prefix;
  const counted = await countPhrases(query, cacheKey, phrases.filter((p) => !single(p)).map(tsPhrase));
  const params: Record<string, unknown> = { searchQuery: toTsQuery(expression) };
  const f8 = (sql: string) => `CAST(${sql} AS float8)`;
  const hits: string[] = [];
  const frequencies: string[] = [];
  const terms: string[] = [];
  phrases.forEach((phrase, i) => {
    params[`ftsPhrase${i}`] = tsPhrase(phrase);
    if (single(phrase)) {
      params[`ftsLexeme${i}`] = fitLexeme(phrase.tokens[0]);
      hits.push(`COALESCE((SELECT ${f8("documents")} FROM "${TERMS_TABLE}" WHERE lexeme = :ftsLexeme${i}), ${f8("0")}) AS n${i}`);
    } else {
      params[`ftsHits${i}`] = counted.get(tsPhrase(phrase));
      hits.push(`${f8(`:ftsHits${i}`)} AS n${i}`);
    }
    frequencies.push(`round(${f8(`ts_rank_cd(${RANK_WEIGHTS}, s.document, CAST(:ftsPhrase${i} AS tsquery))`)} * ${WEIGHT_SCALE}) AS f${i}`);
    terms.push(`c.idf${i} * ((f.f${i} * (${K1} + ${f8("1.0")})) / (f.f${i} + ${K1} * (${f8("1")} - ${B} + ${B} * ${f8("f.token_count")} / c.avgdl)))`);
  });
  // The corpus figures once per statement (a materialized CTE), in FTS5's steps:
  // avgdl = (double)nToken / (double)nRow; idf = log((nRow - nHit + 0.5) / ((double)nHit + 0.5)), 1e-6 if ≤ 0.
  const logs = phrases.map((_, i) => `ln((t.n_rows - t.n${i} + ${f8("0.5")}) / (t.n${i} + ${f8("0.5")})) AS x${i}`);
  const idfs = phrases.map((_, i) => `CASE WHEN x${i} > 0 THEN x${i} ELSE ${f8("1e-6")} END AS idf${i}`);
  const corpus = `SELECT avgdl, ${idfs.join(", ")} FROM (
      SELECT ${f8("t.n_tokens")} / ${f8("NULLIF(t.n_rows, 0)")} AS avgdl, ${logs.join(", ")} FROM (
        SELECT ${f8("documents")} AS n_rows, tokens AS n_tokens, ${hits.join(", ")} FROM "${TERMS_TABLE}" WHERE lexeme = ''
      ) t
    ) x`;
  const score = terms.reduce((sum, term) => `(${sum} + ${term})`, f8("0.0"));
  const liveOnly = options.liveAt !== undefined;
  if (liveOnly) params.ftsLiveAt = options.liveAt;
  const where = `s.document @@ CAST(:searchQuery AS tsquery)${liveOnly ? " AND s.live_at <= :ftsLiveAt" : ""}`;
  // Each phrase's frequency once per row, in the scan of the matches itself: OFFSET 0 keeps the
  // planner from copying the call into every place the formula uses it. (A LATERAL subquery did
  // the same with one more plan node per match; no faster or slower that could be measured.)
  const source = `(WITH c AS MATERIALIZED (${corpus})
    SELECT f.article_id, f.live_at, ${f8("-1.0")} * ${score} AS rank FROM (
      SELECT s.article_id, s.live_at, s.token_count, ${frequencies.join(", ")} FROM "${SEARCH_TABLE}" s WHERE ${where} OFFSET 0
    ) f CROSS JOIN c)`;
  const countSource = `(SELECT s.article_id FROM "${SEARCH_TABLE}" s WHERE ${where})`;
  return { source, countSource, params, liveOnly };
}

/** Narrow, as in fts.sqlite.ts: only tsquery/tsvector input errors are blamed on the query. */
export function isMatchError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /syntax error in tsquery|word is too long|tsquery stack too small|value is too big in tsquery/i.test(message);
}
