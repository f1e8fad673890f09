import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Per-request bookkeeping that lower layers reach without threading it through every call:
 * the SQL statement counter behind `x-sql-statements` lives here so the TypeORM logger can
 * attribute a statement to the request that caused it, even from inside a DataLoader batch.
 */
export interface RequestScope {
  requestId: string;
  statements: number;
  /** Filled in as the request goes, for its log line. */
  operationName?: string | null;
  viewerKind?: "anonymous" | "token";
  errorCodes?: string[];
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

export function currentRequestScope(): RequestScope | undefined {
  return requestScope.getStore();
}
