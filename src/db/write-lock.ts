import type { DataSource, EntityManager } from "typeorm";

/**
 * SQLite has one writer at a time and TypeORM drives it through a single connection, so two
 * overlapping transactions would interleave on that connection. Every write transaction goes
 * through this queue: writers wait their turn in order instead of failing with SQLITE_BUSY.
 * PostgreSQL has real concurrent transactions, so there the queue is not used.
 *
 * It is also the one door every write passes, so it is where caches learn that content changed.
 */
let tail: Promise<unknown> = Promise.resolve();
const committedListeners = new Set<(dataSource: DataSource) => void>();

/** Called after every committed write transaction; returns the unsubscribe function. */
export function onWriteCommitted(listener: (dataSource: DataSource) => void): () => void {
  committedListeners.add(listener);
  return () => committedListeners.delete(listener);
}

async function runAndNotify<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const result = await dataSource.transaction(work);
  for (const listener of committedListeners) listener(dataSource);
  return result;
}

export function writeTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type === "postgres") return runAndNotify(dataSource, work);
  const run = tail.then(() => runAndNotify(dataSource, work));
  tail = run.catch(() => undefined);
  return run;
}
