import type { DataSource, EntityManager } from "typeorm";

/**
 * SQLite has one writer at a time and TypeORM drives it through a single connection, so two
 * overlapping transactions would interleave on that connection. Every write transaction goes
 * through this queue: writers wait their turn in order instead of failing with SQLITE_BUSY.
 * PostgreSQL has real concurrent transactions, so there the queue is not used.
 */
let tail: Promise<unknown> = Promise.resolve();

export function writeTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type === "postgres") return dataSource.transaction(work);
  const run = tail.then(() => dataSource.transaction(work));
  tail = run.catch(() => undefined);
  return run;
}
