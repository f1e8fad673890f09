import { workerData } from "node:worker_threads";
import Database from "better-sqlite3";

/**
 * One read worker (src/db/read-pool.sqlite.ts): its own read-only connection to the SQLite
 * file and a cache of prepared statements, answering one statement at a time. WAL lets it read
 * beside the writer and the other workers; it sees the last committed state at each statement.
 */
export interface ReadTask {
  sql: string;
  params: unknown[];
}

export interface ReadWorkerData {
  path: string;
  busyTimeoutMs: number;
}

/** Loaders build a small, fixed set of statement shapes; numbers inlined by TypeORM add a few more. */
const STATEMENTS_KEPT = 300;

let db: Database.Database | undefined;
const statements = new Map<string, Database.Statement>();

function connection(): Database.Database {
  if (db) return db;
  const { path, busyTimeoutMs } = workerData as ReadWorkerData;
  db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
  return db;
}

function prepared(sql: string): Database.Statement {
  let statement = statements.get(sql);
  if (statement) {
    // Re-inserting keeps the map in least-recently-used order.
    statements.delete(sql);
  } else {
    statement = connection().prepare(sql);
    if (!statement.reader) throw new Error("the read pool only runs statements that return rows");
    if (statements.size >= STATEMENTS_KEPT) statements.delete(statements.keys().next().value!);
  }
  statements.set(sql, statement);
  return statement;
}

/**
 * Errors cross to the main thread by structured clone, which keeps only what a plain Error has:
 * better-sqlite3's SqliteError would arrive as `{ code }` without its message (which FTS5 syntax
 * errors are recognised by), so failures travel as data and are rebuilt on the other side.
 */
export type ReadResult = { rows: unknown[] } | { error: { message: string; code?: string } };

export default function read(task: ReadTask): ReadResult {
  try {
    return { rows: prepared(task.sql).all(...task.params) };
  } catch (error) {
    const e = error as { message?: unknown; code?: unknown };
    return { error: { message: String(e?.message ?? error), ...(typeof e?.code === "string" ? { code: e.code } : {}) } };
  }
}
