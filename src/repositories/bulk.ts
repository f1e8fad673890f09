import type { EntityManager } from "typeorm";
import { placeholderOf } from "../db/dialect";

/** SQLite's default SQLITE_MAX_VARIABLE_NUMBER since 3.32; PostgreSQL allows 65535. */
const MAX_PARAMETERS = 32_766;

/** The VALUES groups of a raw multi-row INSERT, in the engine's positional placeholders. */
function valuesClause(placeholder: (position: number) => string, rows: number, columns: number): string {
  const groups: string[] = [];
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const marks: string[] = [];
    for (let c = 0; c < columns; c++) marks.push(placeholder(++n));
    groups.push(`(${marks.join(", ")})`);
  }
  return groups.join(", ");
}

/**
 * Many rows in few statements: per-row ORM saves are two orders of magnitude too slow for bulk
 * loads. `ignoreConflictOn` names a unique column set whose clashes are skipped (a row another
 * writer inserted first), in syntax both engines share.
 */
export async function bulkInsert(
  manager: EntityManager,
  table: string,
  columns: string[],
  rows: unknown[][],
  options: { rowsPerStatement?: number; ignoreConflictOn?: string[] } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const placeholder = placeholderOf(manager);
  const perStatement = Math.max(1, Math.min(options.rowsPerStatement ?? 1_000, Math.floor(MAX_PARAMETERS / columns.length)));
  const head = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES `;
  const tail = options.ignoreConflictOn ? ` ON CONFLICT (${options.ignoreConflictOn.map((c) => `"${c}"`).join(", ")}) DO NOTHING` : "";
  let fullSql: string | undefined;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    // Full batches share one statement text, built once.
    const sql = chunk.length === perStatement ? (fullSql ??= head + valuesClause(placeholder, perStatement, columns.length) + tail) : head + valuesClause(placeholder, chunk.length, columns.length) + tail;
    await manager.query(sql, chunk.flat());
  }
}

/** Splits a list for `IN (...)` lists: below SQLite's 999-parameter floor of old builds and PostgreSQL's limits. */
export function chunked<T>(list: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
