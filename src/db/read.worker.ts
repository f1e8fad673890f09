import Database from "better-sqlite3";
import { workerData } from "node:worker_threads";

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

export default function read(task: ReadTask): unknown[] {
  return prepared(task.sql).all(...task.params);
}
