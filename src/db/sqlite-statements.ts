import type Database from "better-sqlite3";
import { betterSqlite3 } from "./better-sqlite3";

/** Loaders build a small, fixed set of statement shapes; numbers written into the text add a few more. */
const STATEMENTS_KEPT = 300;

/**
 * A read-only connection to the SQLite file with its prepared statements kept in
 * least-recently-used order: preparing costs more than running the short statements pages use.
 * Opened on first use. WAL lets it read beside the writer; it sees the last committed state at
 * each statement.
 */
export class SqliteStatements {
  private db: Database.Database | undefined;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly path: string,
    private readonly busyTimeoutMs: number,
  ) {}

  private prepared(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement) {
      // Re-inserting keeps the map in least-recently-used order.
      this.statements.delete(sql);
    } else {
      this.db ??= new (betterSqlite3())(this.path, { readonly: true, fileMustExist: true, timeout: this.busyTimeoutMs });
      statement = this.db.prepare(sql);
      if (!statement.reader) throw new Error("the read pool only runs statements that return rows");
      if (this.statements.size >= STATEMENTS_KEPT) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement;
  }

  all(sql: string, params: unknown[]): unknown[] {
    return this.prepared(sql).all(...params);
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
    this.statements.clear();
  }
}
