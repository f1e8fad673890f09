/**
 * Everything SQLite-specific about full-text search: the FTS5 table, how rows are written to
 * it and how a query matches it. The PostgreSQL form (tsvector) is fts.postgres.ts, with the
 * same exports; src/db/dialect.ts picks one.
 *
 * The table holds stemmed, folded text (stemText), never the original: FTS5 has no Indonesian
 * stemmer and the sqlite3 driver cannot register one, so the stemming happens in JavaScript on
 * both sides (here when writing, buildFtsQuery when reading).
 *
 * It is contentless (`content=''`) with `contentless_delete=1`: the stemmed copy is never read
 * back (snippets are built from the original text in JavaScript, and bm25 needs only the
 * index), so storing it would double the index's size for nothing; contentless_delete (SQLite
 * 3.43+, bundled by both drivers) still allows a plain DELETE by rowid. On an older SQLite the
 * migration falls back to a regular FTS5 table, which behaves the same for everything here.
 * The rowid is the article id, so no mapping table is needed.
 *
 * detail=full (the default) is kept because phrase queries ("kim jong") need token positions.
 */
import type { EntityManager, QueryRunner } from "typeorm";
import { toFts5Match, type SearchExpression } from "./fts-query";
import { stemText } from "./indonesian-stemmer";
import { chunks } from "../lib/chunks";

export const FTS_TABLE = "article_search";

/** bm25 column weights: a word in the title says far more about an article than one in its body. */
export const COLUMN_WEIGHTS = { title: 10.0, lead: 4.0, body: 1.0 };

/** Rows per INSERT: 4 parameters each, well under SQLite's 32,766-parameter limit. */
const INSERT_CHUNK = 400;
/** Ids per SELECT/DELETE. */
const ID_CHUNK = 900;

type Runner = Pick<EntityManager, "query"> | Pick<QueryRunner, "query">;

function supportsContentlessDelete(version: string): boolean {
  const [major, minor] = version.split(".").map(Number);
  return major > 3 || (major === 3 && minor >= 43);
}

export async function createSearchTable(runner: Runner): Promise<void> {
  const [{ v }] = (await runner.query(`SELECT sqlite_version() AS v`)) as { v: string }[];
  const storage = supportsContentlessDelete(String(v)) ? `content='', contentless_delete=1,` : "";
  // The text is already folded and tokenized by stemText, so the tokenizer must not fold
  // further (remove_diacritics 0): the index and the snippet highlighter then agree exactly.
  await runner.query(
    `CREATE VIRTUAL TABLE "${FTS_TABLE}" USING fts5(title, lead, body, ${storage} tokenize = 'unicode61 remove_diacritics 0')`,
  );
  // A persistent rank function makes `ORDER BY rank` use the weights and lets FTS5 sort
  // inside the virtual table instead of handing every match to the outer query's sorter.
  await runner.query(
    `INSERT INTO "${FTS_TABLE}" ("${FTS_TABLE}", rank) VALUES ('rank', 'bm25(${COLUMN_WEIGHTS.title}, ${COLUMN_WEIGHTS.lead}, ${COLUMN_WEIGHTS.body})')`,
  );
}

export async function dropSearchTable(runner: Runner): Promise<void> {
  await runner.query(`DROP TABLE IF EXISTS "${FTS_TABLE}"`);
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
    for (const row of chunk) values.push(row.id, stemText(row.title ?? ""), stemText(row.lead ?? ""), stemText(row.body ?? ""));
    const placeholders = chunk.map(() => "(?, ?, ?, ?)").join(", ");
    await runner.query(`INSERT INTO "${FTS_TABLE}" (rowid, title, lead, body) VALUES ${placeholders}`, values);
  }
}

/**
 * Brings the index rows of these articles in line with the articles table: each id's row is
 * deleted and, when the article still exists, written again from its current text. Deleted
 * (soft) and draft articles stay indexed: visibility is applied when searching, so editors can
 * search their drafts and restoring an article needs no reindex.
 */
export async function reindexRows(runner: Runner, articleIds: number[]): Promise<number> {
  const ids = [...new Set(articleIds.filter((id) => Number.isSafeInteger(id)))];
  let written = 0;
  for (const chunk of chunks(ids, ID_CHUNK)) {
    const marks = chunk.map(() => "?").join(", ");
    await runner.query(`DELETE FROM "${FTS_TABLE}" WHERE rowid IN (${marks})`, chunk);
    const rows = (await runner.query(`SELECT id, title, lead, body FROM articles WHERE id IN (${marks})`, chunk)) as SourceRow[];
    await writeRows(runner, rows);
    written += rows.length;
  }
  return written;
}

/**
 * Rebuilds the whole index from the articles table, reading it in id order in batches so
 * memory stays flat whatever the archive's size. Runs inside the caller's transaction, so
 * readers keep the old index until the new one is committed.
 */
export async function rebuildIndex(runner: Runner, onProgress?: (rows: number) => void): Promise<number> {
  await runner.query(`DELETE FROM "${FTS_TABLE}"`);
  let lastId = 0;
  let total = 0;
  for (;;) {
    const rows = (await runner.query(`SELECT id, title, lead, body FROM articles WHERE id > ? ORDER BY id LIMIT ?`, [lastId, 2000])) as SourceRow[];
    if (rows.length === 0) break;
    await writeRows(runner, rows);
    total += rows.length;
    lastId = Number(rows[rows.length - 1].id);
    onProgress?.(total);
  }
  // Merges the segment b-trees written batch by batch into one, which makes queries faster.
  await runner.query(`INSERT INTO "${FTS_TABLE}" ("${FTS_TABLE}") VALUES ('optimize')`);
  return total;
}

/**
 * The matching part of a search, as a derived table `(article_id, rank)` where a lower rank is
 * a better match (bm25 is negative; the API shows -rank as the score). `:searchMatch` is the
 * expression from buildFtsQuery, always bound as a parameter.
 */
export function matchSource(): string {
  return `(SELECT rowid AS article_id, rank AS rank FROM "${FTS_TABLE}" WHERE "${FTS_TABLE}" MATCH :searchMatch)`;
}

/**
 * The derived table and its one parameter, as search-index.ts's FtsModule.prepareMatch. FTS5
 * holds no publication state, so `liveAt` is not applied (liveOnly false): the caller checks
 * visibility on the articles.
 */
export async function prepareMatch(
  _query: unknown,
  _cacheKey: object,
  expression: SearchExpression,
  _options: { liveAt?: unknown } = {},
): Promise<{ source: string; countSource: string; params: Record<string, unknown>; liveOnly: boolean }> {
  return { source: matchSource(), countSource: matchSource(), params: { searchMatch: toFts5Match(expression) }, liveOnly: false };
}

/**
 * True when a driver error came from FTS5 parsing or evaluating a MATCH expression. Narrow on
 * purpose: any other SQL error is a bug and must surface as one (masked as a 500), not be
 * blamed on the user's query.
 */
export function isMatchError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /fts5|unterminated string|unable to use function MATCH/i.test(message);
}
