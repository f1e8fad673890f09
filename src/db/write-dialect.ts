import type { DataSource, EntityManager } from "typeorm";
import { isPostgres } from "./dialect";

/**
 * What differs between SQLite and PostgreSQL for writes, in one place: how a writer waits for
 * another, how a row is locked, how a stored instant is compared, and what the drivers' errors
 * mean. The repositories (src/repositories/) and the write transaction (write-lock.ts) ask here.
 */

/**
 * How long a writer waits for another one (another process's transaction on SQLite, a row lock
 * on PostgreSQL) before giving up with SERVICE_UNAVAILABLE. Also SQLite's busy timeout.
 */
export const WRITER_WAIT_MS = 10_000;

type ManagerOrSource = EntityManager | DataSource;
const connectionOf = (db: ManagerOrSource): DataSource => ("connection" in db ? db.connection : db);

/**
 * Locks rows matched by `where` on `table` until the transaction ends, on PostgreSQL, where
 * writers run side by side. `FOR NO KEY UPDATE` because ids never change: foreign-key checks of
 * other writers (inserting a revision, a pick) are not blocked by it. SQLite needs nothing: a
 * write transaction there starts with BEGIN IMMEDIATE and so holds the database's only writer.
 */
export async function lockRows(manager: EntityManager, table: "articles", where: string, params: Record<string, unknown>): Promise<number[]> {
  if (!isPostgres(manager.connection)) return [];
  const rows = await execute<{ id: number }>(manager, `SELECT id FROM ${table} WHERE ${where} FOR NO KEY UPDATE`, params);
  return rows.rows.map((row) => Number(row.id));
}

/**
 * Serializes, until the transaction ends, the writers that name the same key (PostgreSQL: a
 * transaction-level advisory lock; SQLite's write transaction already holds the only writer).
 * For choices no row lock can cover, such as the next free slug for a title.
 */
export async function lockKey(manager: EntityManager, key: string): Promise<void> {
  if (!isPostgres(manager.connection)) return;
  await execute(manager, `SELECT pg_advisory_xact_lock(hashtext(:key)) AS locked`, { key });
}

/**
 * SQL that is true when a stored timestamp column equals an instant given with millisecond
 * precision. PostgreSQL keeps microseconds (a DEFAULT now() has them) while JavaScript dates
 * stop at milliseconds; SQLite's stored text may lack the milliseconds or carry a `T`.
 */
export function sameInstantSql(db: ManagerOrSource, column: string, param: string): string {
  return isPostgres(connectionOf(db)) ? `date_trunc('milliseconds', ${column}) = :${param}` : `strftime('%Y-%m-%d %H:%M:%f', ${column}) = :${param}`;
}

/** Rows of a read written with TypeORM's `:name` parameters; inside a transaction or outside one (a dry run). */
export async function select<Row = Record<string, unknown>>(manager: EntityManager, sql: string, params: Record<string, unknown> = {}): Promise<Row[]> {
  const [query, values] = manager.connection.driver.escapeQueryWithParameters(sql, params, {});
  return manager.query(query, values);
}

/** Rows and affected-row count of one statement written with TypeORM's `:name` parameters, on the transaction's connection. */
export async function execute<Row = Record<string, unknown>>(
  manager: EntityManager,
  sql: string,
  params: Record<string, unknown> = {},
): Promise<{ rows: Row[]; affected: number }> {
  const [query, values] = manager.connection.driver.escapeQueryWithParameters(sql, params, {});
  const runner = manager.queryRunner;
  if (!runner) throw new Error("execute() runs inside a write transaction");
  const result = await runner.query(query, values, true);
  return { rows: (result.records ?? []) as Row[], affected: Number(result.affected ?? 0) };
}

/**
 * `n` new article ids, taken from the database's own counter so no other writer (another
 * process included) can be handed the same ones: PostgreSQL's sequence, or on SQLite the
 * highest id ever used, read inside the write transaction that holds the only writer.
 */
export async function reserveIds(manager: EntityManager, table: "articles", n: number): Promise<number[]> {
  if (n <= 0) return [];
  if (isPostgres(manager.connection)) {
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

// ---- driver errors -------------------------------------------------------------------------

interface DriverErrorFields {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
  driverError?: DriverErrorFields;
}

function fieldsOf(error: unknown): { code?: unknown; constraint?: unknown; text: string } {
  if (!error || typeof error !== "object") return { text: "" };
  const outer = error as DriverErrorFields;
  const fields = { ...(outer.driverError ?? {}), ...outer };
  const message = outer.message ?? outer.driverError?.message;
  return { code: fields.code, constraint: fields.constraint, text: typeof message === "string" ? message : "" };
}

/**
 * A unique index refused a row. With `table` and `column`, only that index counts (the slug
 * retry must not swallow other violations). PostgreSQL names the constraint (`ux_articles_slug`
 * by this schema's convention); SQLite names `table.column` in the message.
 */
export function isUniqueViolation(error: unknown, on?: { table: string; column: string }): boolean {
  const { code, constraint, text } = fieldsOf(error);
  if (code === "23505") return on ? constraint === `ux_${on.table}_${on.column}` : true;
  const sqlite = code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || /UNIQUE constraint failed/.test(text);
  if (!sqlite) return false;
  return on ? new RegExp(`UNIQUE constraint failed: [^\\n]*\\b${on.table}\\.${on.column}\\b`).test(text) : true;
}

/** SQLite: another connection holds the writer (or the database file's lock). */
export function isSqliteBusy(error: unknown): boolean {
  const { code, text } = fieldsOf(error);
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || /SQLITE_BUSY|database is locked/.test(text);
}

/** PostgreSQL: the transaction lost a deadlock or a serialization check and may simply be run again. */
export function isRetryableConflict(error: unknown): boolean {
  const { code } = fieldsOf(error);
  return code === "40P01" || code === "40001";
}

/** PostgreSQL: a row lock was not granted within lock_timeout. */
export function isLockTimeout(error: unknown): boolean {
  return fieldsOf(error).code === "55P03";
}
