import type { DatabaseConfig } from "../config";
import { betterSqlite3 } from "../db/better-sqlite3";

/**
 * A bare connection to a SQLite file, outside TypeORM: backup and restore need what TypeORM
 * does on open (WAL mode, migrations) not to happen, and a lock probe needs its own pragmas
 * before the first read. Either driver, whichever the configuration names.
 */
export interface SqliteFile {
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

type Driver = Extract<DatabaseConfig, { type: "sqlite" }>["driver"];

export async function openSqliteFile(file: string, options: { driver: Driver; readonly?: boolean; busyTimeoutMs?: number }): Promise<SqliteFile> {
  const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
  if (options.driver === "better-sqlite3") {
    const Database = betterSqlite3();
    const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: true, timeout: busyTimeoutMs });
    return {
      async all<T>(sql: string, params: unknown[] = []) {
        const statement = db.prepare(sql);
        if (statement.reader) return statement.all(...params) as T[];
        statement.run(...params);
        return [];
      },
      async run(sql: string, params: unknown[] = []) {
        db.prepare(sql).run(...params);
      },
      async close() {
        db.close();
      },
    };
  }
  const sqlite3 = (await import("sqlite3")).default;
  const mode = options.readonly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE;
  const db = await new Promise<InstanceType<typeof sqlite3.Database>>((resolve, reject) => {
    const opened = new sqlite3.Database(file, mode, (error) => (error ? reject(error) : resolve(opened)));
  });
  db.configure("busyTimeout", busyTimeoutMs);
  return {
    all: <T>(sql: string, params: unknown[] = []) => new Promise<T[]>((resolve, reject) => db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows as T[])))),
    run: (sql: string, params: unknown[] = []) => new Promise<void>((resolve, reject) => db.run(sql, params, (error) => (error ? reject(error) : resolve()))),
    close: () => new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve()))),
  };
}

/**
 * Whether any other connection, in any process, has the file open: an exclusive-mode
 * connection must take the write lock and, in WAL mode, find itself the only user of the
 * shared-memory index, which fails with SQLITE_BUSY while anyone else holds it, even idle.
 * When the file is free, the probe's own close checkpoints the WAL into the file.
 */
export async function openElsewhere(file: string, driver: Driver): Promise<boolean> {
  const db = await openSqliteFile(file, { driver, busyTimeoutMs: 0 });
  try {
    await db.run("PRAGMA locking_mode = EXCLUSIVE");
    await db.run("BEGIN EXCLUSIVE");
    await db.run("COMMIT");
    return false;
  } catch (error) {
    if (/SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(String((error as Error).message) + String((error as NodeJS.ErrnoException).code))) return true;
    throw error;
  } finally {
    await db.close();
  }
}
