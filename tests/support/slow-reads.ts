import type { DataSource } from "typeorm";
import type { AppConfig } from "../../src/config";
import { openReadDatabase, type ReadDatabase, type ReadQueryOptions } from "../../src/db/read-database";

/**
 * A statement that really is slow (counts to `rows` in a recursive CTE, about a second for
 * three million on this kind of machine) and always ends: an abandoned worker finishes it
 * and exits, so a test never leaves a thread spinning.
 */
export const slowSql = (rows = 3_000_000) =>
  `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${rows}) SELECT count(*) AS n FROM c`;

/**
 * The real reader with `before` awaited ahead of every statement: how a test slows or holds
 * reads without replacing the database underneath.
 */
export function readerWithHook(db: ReadDatabase, before: (sql: string, options?: ReadQueryOptions) => Promise<void>): ReadDatabase {
  return {
    dialect: db.dialect,
    get queued() {
      return db.queued;
    },
    probe: (ms) => db.probe(ms),
    close: () => db.close(),
    async query(sql, params, options) {
      await before(sql, options);
      return db.query(sql, params, options);
    },
  };
}

export interface SlowReads {
  /** Pass as `app.readDatabase` to startTestServer. */
  open: (config: AppConfig, writer: DataSource) => Promise<ReadDatabase>;
  /** The real reader underneath, once the server has opened it. */
  readonly reader: ReadDatabase;
  /** Slow statements started and not yet settled. */
  readonly running: number;
}

/**
 * The server's real reader (worker threads on better-sqlite3), except that every statement
 * `slow(sql)` picks first runs the slow statement on the same lane. Nothing is mocked: the
 * slowness is SQLite working.
 */
export function slowReads(slow: (sql: string) => boolean, rows?: number): SlowReads {
  let inner: ReadDatabase | undefined;
  let running = 0;
  return {
    get running() {
      return running;
    },
    get reader() {
      if (!inner) throw new Error("the server has not opened its reader yet");
      return inner;
    },
    async open(config, writer) {
      const db = await openReadDatabase(config, writer);
      inner = db;
      return readerWithHook(db, async (sql, options) => {
        if (!slow(sql)) return;
        running++;
        try {
          await db.query(slowSql(rows), {}, options);
        } finally {
          running--;
        }
      });
    },
  };
}
