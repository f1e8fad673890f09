import type { DataSource, EntityManager } from "typeorm";
import * as postgresFts from "../search/fts.postgres";
import * as sqliteFts from "../search/fts.sqlite";
import type { FtsModule } from "../search/search-index";
import { execute } from "./named-sql";

/**
 * What differs between SQLite and PostgreSQL, in one place. The rest of the code asks one of the
 * named questions below (how to bind an instant, how writers share the database, which full-text
 * module, ...) rather than testing the engine itself.
 *
 * Engine-specific code long enough to deserve its own file (the full-text modules
 * src/search/fts.*.ts, the two transaction kinds in write-lock.ts) stays there; which one runs is
 * decided here. Left outside on purpose: the migrations, which test the engine themselves (each
 * is a record of DDL as it was run and must keep its meaning whatever this module becomes); the
 * read database (read-database.ts), which is built per engine and names its own dialect; and code
 * that opens a connection from the configuration (DatabaseConfig: a SQLite path or a PostgreSQL
 * URL), which needs the one or the other.
 */

export type Dialect = "sqlite" | "postgres";

/** A TypeORM DataSource or EntityManager, or the read database (src/db/read-database.ts), which names its dialect. */
export type DialectSource = DataSource | EntityManager | { readonly dialect: Dialect };

/** The engine behind a source. TypeORM names SQLite after its driver (`sqlite`, `better-sqlite3`). */
function dialectOf(source: DialectSource): Dialect {
  if ("dialect" in source) return source.dialect;
  const dataSource = "connection" in source ? source.connection : source;
  return dataSource.options.type === "postgres" ? "postgres" : "sqlite";
}

const isPostgres = (source: DialectSource): boolean => dialectOf(source) === "postgres";

// ---- timestamps ----------------------------------------------------------------------------

const digits = (text: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
};

/**
 * A stored timestamp as read back: SQLite returns TypeORM's `YYYY-MM-DD HH:MM:SS[.SSS]` UTC text;
 * PostgreSQL returns a Date. Every article row carries four timestamps, so the fixed layout is
 * read by position rather than through the general date parser, which showed up in profiles of
 * list pages.
 */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  // Drivers hand back text (or a number); anything else was never a timestamp.
  if (typeof value !== "string" && typeof value !== "number") return new Date(NaN);
  const text = String(value);
  if ((text.length === 19 || text.length === 23) && text.charCodeAt(10) === 32) {
    const year = digits(text, 0, 4);
    const date = new Date(
      Date.UTC(year, digits(text, 5, 7) - 1, digits(text, 8, 10), digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19), text.length === 23 ? digits(text, 20, 23) : 0),
    );
    // Date.UTC reads years 0–99 as 1900–1999.
    if (year < 100) date.setUTCFullYear(year, digits(text, 5, 7) - 1, digits(text, 8, 10));
    return date;
  }
  return new Date(text.includes("T") ? text : `${text.replace(" ", "T")}Z`);
}

/**
 * A row limit written into a statement's text instead of bound. PostgreSQL plans a prepared
 * `LIMIT $n` without knowing n (it guesses a tenth of the rows), finds that generic plan dearer
 * than one made for the value, and so plans the statement again on every call: on the home
 * page's statement planning cost as much as running it (backend CPU 0.94-1.24 -> 0.64-0.70 ms a
 * statement, node-pg, 2,000 calls). SQLite too plans a page better knowing its limit. Page
 * sizes are capped (MAX_PAGE_SIZE), so a statement has at most a hundred-odd texts, each
 * prepared once per connection.
 */
export function limitSql(rows: number): string {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new Error(`a row limit must be a whole number, got ${rows}`);
  return String(rows);
}

/** The form a timestamp parameter must take to compare correctly with stored values. */
export function timestampParam(source: DialectSource, date: Date): string | Date {
  if (isPostgres(source)) return date;
  return date.toISOString().replace("T", " ").replace("Z", "");
}

/**
 * SQL that is true when a stored timestamp column equals an instant given with millisecond
 * precision. PostgreSQL keeps microseconds (a DEFAULT now() has them) while JavaScript dates
 * stop at milliseconds; SQLite's stored text may lack the milliseconds or carry a `T`.
 */
export function sameInstantSql(source: DialectSource, column: string, param: string): string {
  return isPostgres(source) ? `date_trunc('milliseconds', ${column}) = :${param}` : `strftime('%Y-%m-%d %H:%M:%f', ${column}) = :${param}`;
}

/** `YYYY-MM` of a stored UTC timestamp: what groups articles into monthly sitemap files. */
export function utcMonthSql(source: DialectSource, column: string): string {
  // SQLite keeps TypeORM's "YYYY-MM-DD HH:MM:SS.SSS" UTC text; PostgreSQL a timestamptz.
  return isPostgres(source) ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM')` : `strftime('%Y-%m', ${column})`;
}

// ---- schema spelling -----------------------------------------------------------------------

export interface SchemaSpelling {
  /** The insert time as a column default. */
  nowDefault: string;
  /** The column type of an instant, where TypeORM's own choice (`datetime`, `timestamp` without zone) is wrong. */
  instantType: "timestamp with time zone" | null;
  /** The name the engine gives a foreign key written inline (`REFERENCES ...` in CREATE TABLE); SQLite gives none. */
  inlineForeignKeyName(table: string, columns: readonly string[]): string | undefined;
}

const SCHEMA_SPELLING: Record<Dialect, SchemaSpelling> = {
  // Millisecond UTC text, as the migrations' DEFAULT spells it.
  sqlite: { nowDefault: "strftime('%Y-%m-%d %H:%M:%f', 'now')", instantType: null, inlineForeignKeyName: () => undefined },
  // PostgreSQL truncates identifiers at 63 bytes; every name here is far shorter.
  postgres: { nowDefault: "now()", instantType: "timestamp with time zone", inlineForeignKeyName: (table, columns) => `${table}_${columns.join("_")}_fkey` },
};

/** How the schema's engine-neutral forms (src/db/schema-forms.ts) are spelled on this engine. */
export function schemaSpelling(source: DialectSource): SchemaSpelling {
  return SCHEMA_SPELLING[dialectOf(source)];
}

// ---- query shapes --------------------------------------------------------------------------

/** Positional placeholders for raw statements that bypass TypeORM's `:name` parameters: `?` on SQLite, `$n` on PostgreSQL. */
export function placeholderOf(source: DialectSource): (position: number) => string {
  return isPostgres(source) ? (position) => `$${position}` : () => "?";
}

/** Whether `CROSS JOIN LATERAL` is there; SQLite has none and needs a correlated `rowid IN (...)` instead. */
export function hasLateralJoin(source: DialectSource): boolean {
  return isPostgres(source);
}

/**
 * An aggregate of one JSON array per row, in `orderBy` order: `[[1,"a"],[2,"b"]]`. Over no rows
 * PostgreSQL gives NULL where SQLite gives `[]`; PostgreSQL's driver parses it, SQLite's hands
 * back the text.
 */
export function jsonArrayAggSql(source: DialectSource, values: string[], orderBy: string): string {
  return isPostgres(source)
    ? `json_agg(json_build_array(${values.join(", ")}) ORDER BY ${orderBy})`
    : `json_group_array(json_array(${values.join(", ")}) ORDER BY ${orderBy})`;
}

/**
 * `articles a` for a scan of every live article (the sitemap index's months), on the partial index
 * of live articles (migration 1732700000450), which holds the dates it reads: no article row is
 * touched. Without statistics SQLite's planner prefers ix_articles_published and reads every row
 * (bodies included), 20x slower at 20,000 articles; PostgreSQL's planner chooses by itself.
 */
export function liveArticlesFrom(source: DialectSource): string {
  return isPostgres(source) ? "articles a" : "articles a INDEXED BY ix_articles_live";
}

/** The full-text engine: FTS5 on SQLite (fts.sqlite.ts), tsvector with bm25 on PostgreSQL (fts.postgres.ts). */
export function ftsModuleFor(source: DialectSource): FtsModule {
  return isPostgres(source) ? postgresFts : sqliteFts;
}

// ---- writers -------------------------------------------------------------------------------

/**
 * How writers share the database. `row-locks` (PostgreSQL): transactions run side by side, each
 * locking the rows it changes, so lock order matters and one statement can claim rows others skip.
 * `single-writer` (SQLite): a write transaction starts with BEGIN IMMEDIATE and holds the only
 * writer, so this process queues its writes (write-lock.ts) and nothing needs a row lock.
 */
export type WriteConcurrency = "row-locks" | "single-writer";

export function writeConcurrency(source: DialectSource): WriteConcurrency {
  return isPostgres(source) ? "row-locks" : "single-writer";
}

/**
 * After a bulk load, what a live database gets from autovacuum in its own time: PostgreSQL's
 * planner statistics and visibility map. Until then it misjudges how many rows a tag holds,
 * reads whole tags where an index would stop at the newest 200, and passes JIT thresholds with
 * cost estimates far above what the statements do. VACUUM runs outside any transaction. SQLite
 * gets nothing: its statements are written for its plans without statistics, and ANALYZE
 * there would change them.
 */
export async function refreshPlannerStatistics(dataSource: DataSource): Promise<void> {
  if (!isPostgres(dataSource)) return;
  await dataSource.query("VACUUM (ANALYZE) articles, article_tags, article_search, article_related, authors, tags");
}

/**
 * How instances starting together keep from migrating twice (src/db/startup-lock.ts). A
 * PostgreSQL database is shared by every instance: `advisory-lock`. A SQLite file is owned by
 * one process and TypeORM's one connection runs the migrations in order: `none`.
 */
export function startupLockStrategy(source: DialectSource): "advisory-lock" | "none" {
  return isPostgres(source) ? "advisory-lock" : "none";
}

/**
 * How a write tells other processes what it changed (src/cache/change-feed.ts): `notify`,
 * PostgreSQL's NOTIFY, committed with the transaction; `table`, a row in content_changes that
 * the other processes on the same file poll.
 */
export function changeAnnouncement(source: DialectSource): "notify" | "table" {
  return isPostgres(source) ? "notify" : "table";
}

/**
 * Locks rows matched by `where` on `table` until the transaction ends, where writers run side by
 * side. `FOR NO KEY UPDATE` because ids never change: foreign-key checks of other writers
 * (inserting a revision, a pick) are not blocked by it. SQLite needs nothing: its write
 * transaction holds the database's only writer.
 */
export async function lockRows(manager: EntityManager, table: "articles", where: string, params: Record<string, unknown>): Promise<number[]> {
  if (writeConcurrency(manager) === "single-writer") return [];
  const rows = await execute<{ id: number }>(manager, `SELECT id FROM ${table} WHERE ${where} FOR NO KEY UPDATE`, params);
  return rows.rows.map((row) => Number(row.id));
}

/**
 * Serializes, until the transaction ends, the writers that name the same key (PostgreSQL: a
 * transaction-level advisory lock; SQLite's write transaction already holds the only writer).
 * For choices no row lock can cover, such as the next free slug for a title.
 */
export async function lockKey(manager: EntityManager, key: string): Promise<void> {
  if (writeConcurrency(manager) === "single-writer") return;
  await execute(manager, `SELECT pg_advisory_xact_lock(hashtext(:key)) AS locked`, { key });
}

/**
 * `n` new article ids, taken from the database's own counter so no other writer (another
 * process included) can be handed the same ones: PostgreSQL's sequence, or on SQLite the
 * highest id ever used, read inside the write transaction that holds the only writer.
 */
export async function reserveIds(manager: EntityManager, table: "articles", n: number): Promise<number[]> {
  if (n <= 0) return [];
  if (isPostgres(manager)) {
    const { rows } = await execute<{ id: string }>(manager, `SELECT nextval(pg_get_serial_sequence('${table}', 'id')) AS id FROM generate_series(1, :n)`, { n });
    return rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  }
  const { rows } = await execute<{ max_id: number | null; seq: number | null }>(
    manager,
    // AUTOINCREMENT never reuses the ids of hard-deleted rows; sqlite_sequence remembers them.
    `SELECT (SELECT MAX(id) FROM ${table}) AS max_id, (SELECT seq FROM sqlite_sequence WHERE name = '${table}') AS seq`,
  );
  const first = Math.max(Number(rows[0]?.max_id ?? 0), Number(rows[0]?.seq ?? 0)) + 1;
  return Array.from({ length: n }, (_, i) => first + i);
}

// ---- connections ---------------------------------------------------------------------------

/** Counts of a connection pool, for metrics. */
export interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** node-postgres's pool behind a PostgreSQL DataSource; SQLite has one connection and no pool. */
export function connectionPoolOf(dataSource: DataSource): PoolCounts | null {
  if (!dataSource.isInitialized || !isPostgres(dataSource)) return null;
  const pool = (dataSource.driver as unknown as { master?: PoolCounts }).master;
  return pool && typeof pool.totalCount === "number" ? pool : null;
}

/**
 * Runs `work` with a page cache of `kib` KiB on SQLite's connection (bulk loads whose random
 * keys land all over an index), then restores the previous size. PostgreSQL's cache is the
 * server's shared_buffers, nothing a connection sets.
 */
export async function withPageCache<T>(dataSource: DataSource, kib: number, work: () => Promise<T>): Promise<T> {
  if (isPostgres(dataSource)) return work();
  const previous = (await dataSource.query<{ cache_size: number }[]>(`PRAGMA cache_size`))[0]?.cache_size;
  await dataSource.query(`PRAGMA cache_size = -${Math.round(kib)}`);
  try {
    return await work();
  } finally {
    if (previous !== undefined) await dataSource.query(`PRAGMA cache_size = ${Number(previous)}`);
  }
}
