import type { Logger, QueryRunner } from "typeorm";
import { currentRequestScope } from "./request-scope";

/** A TypeORM logger that only counts: every statement TypeORM sends is charged to the current request. */
export class StatementCountingLogger implements Logger {
  logQuery(_query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    const scope = currentRequestScope();
    if (scope) scope.statements += 1;
  }
  logQueryError(error: string | Error, query: string): void {
    // Driver errors are logged by the HTTP layer with the request id; the query text is kept
    // out of responses but is useful in the server log.
    if (process.env.DEBUG_SQL) console.error("query failed:", error, query);
  }
  logQuerySlow(time: number, query: string): void {
    if (process.env.DEBUG_SQL) console.warn(`slow query (${time} ms): ${query}`);
  }
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
