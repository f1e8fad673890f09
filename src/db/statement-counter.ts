import type { Logger, QueryRunner } from "typeorm";
import { currentRequestScope } from "./request-scope";

/** A TypeORM logger that counts: every statement TypeORM sends is charged to the current request. */
export class StatementCountingLogger implements Logger {
  /** With `debugSql` (DEBUG_SQL), failed and slow statements are printed on stderr. */
  constructor(private readonly debugSql = false) {}

  logQuery(_query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    const scope = currentRequestScope();
    if (scope) scope.statements += 1;
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
