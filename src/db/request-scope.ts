/**
 * What lower layers charge to the request that caused them: its SQL statements, for the
 * `x-sql-statements` header, the log line and the metrics.
 *
 * It is handed down explicitly (the GraphQL context, the reads charged to it, the write
 * transaction), not through AsyncLocalStorage: on Node 20 and 22 an active AsyncLocalStorage
 * runs a hook on every promise of every request, about a tenth of the CPU of a home page.
 */
export interface StatementTally {
  statements: number;
}

/** Per-request bookkeeping, filled in as the request goes, for its log line and metrics. */
export interface RequestScope extends StatementTally {
  requestId: string;
  operationName?: string | null;
  viewerKind?: "anonymous" | "token";
  errorCodes?: string[];
}
