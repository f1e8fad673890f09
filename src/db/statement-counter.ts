import type { Logger, QueryRunner } from "typeorm";
import type { StatementTally } from "./request-scope";

const tallies = new WeakMap<QueryRunner, StatementTally>();

/**
 * Charges what TypeORM sends on `runner` (a write transaction's connection) to `tally` until
 * the returned function is called: SQLite's driver hands every caller the same runner.
 */
export function chargeStatementsOf(runner: QueryRunner, tally: StatementTally): () => void {
  tallies.set(runner, tally);
  return () => tallies.delete(runner);
}

/**
 * A TypeORM logger that counts: a statement TypeORM sends on a connection charged to a request
 * (chargeStatementsOf) is counted for it; reads are charged where they are sent (chargeReads).
 */
export class StatementCountingLogger implements Logger {
  /** With `debugSql` (DEBUG_SQL), failed and slow statements are printed on stderr. */
  constructor(private readonly debugSql = false) {}

  logQuery(_query: string, _parameters?: unknown[], queryRunner?: QueryRunner): void {
    const tally = queryRunner && tallies.get(queryRunner);
    if (tally) tally.statements += 1;
  }
  logQueryError(error: string | Error, query: string): void {
    // Driver errors are logged by the HTTP layer with the request id; the query text is kept
    // out of responses but is useful in the server log.
    if (this.debugSql) console.error("query failed:", error, query);
  }
  logQuerySlow(time: number, query: string): void {
    if (this.debugSql) console.warn(`slow query (${time} ms): ${query}`);
  }
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
