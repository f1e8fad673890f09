import { workerData } from "node:worker_threads";
import { SqliteStatements } from "./sqlite-statements";

/**
 * One read worker (src/db/read-pool.sqlite.ts): its own read-only connection to the SQLite
 * file and a cache of prepared statements (src/db/sqlite-statements.ts), answering one
 * statement at a time.
 */
export interface ReadTask {
  sql: string;
  params: unknown[];
}

export interface ReadWorkerData {
  path: string;
  busyTimeoutMs: number;
}

let statements: SqliteStatements | undefined;

/**
 * Errors cross to the main thread by structured clone, which keeps only what a plain Error has:
 * better-sqlite3's SqliteError would arrive as `{ code }` without its message (which FTS5 syntax
 * errors are recognised by), so failures travel as data and are rebuilt on the other side.
 */
export type ReadResult = { rows: unknown[] } | { error: { message: string; code?: string } };

export default function read(task: ReadTask): ReadResult {
  try {
    const { path, busyTimeoutMs } = workerData as ReadWorkerData;
    statements ??= new SqliteStatements(path, busyTimeoutMs);
    return { rows: statements.all(task.sql, task.params) };
  } catch (error) {
    const e = error as { message?: unknown; code?: unknown };
    return { error: { message: String(e?.message ?? error), ...(typeof e?.code === "string" ? { code: e.code } : {}) } };
  }
}
