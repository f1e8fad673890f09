import type { DataSource } from "typeorm";
import { startupLockStrategy } from "./dialect";

/**
 * Several instances started at once on one PostgreSQL database must not run the same migration
 * twice (the second CREATE TABLE fails and that instance dies) or load the sample pages twice.
 * They take turns on a session-level advisory lock: the first runs the work, the others wait
 * and then find nothing left to do (migrations recorded, articles present).
 *
 * The wait is bounded: an instance that cannot get the lock within `timeoutMs` (another one
 * stuck in a huge backfill, say) fails to start with a clear message rather than hanging.
 * SQLite needs no lock here: one process owns the file, and TypeORM's one connection runs
 * the migrations in order.
 */
const LOCK_KEY = 7_306_204_001; // arbitrary, fixed: "content API start-up" in pg_locks
const POLL_MS = 100;
export const STARTUP_LOCK_TIMEOUT_MS = 10 * 60_000;

export async function withStartupLock<T>(dataSource: DataSource, work: () => Promise<T>, timeoutMs = STARTUP_LOCK_TIMEOUT_MS): Promise<T> {
  if (startupLockStrategy(dataSource) === "none") return work();
  // The lock belongs to a session, so it is taken and released on one dedicated connection.
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = (await runner.query(`SELECT pg_try_advisory_lock($1) AS locked`, [LOCK_KEY])) as { locked: boolean }[];
      if (row.locked) break;
      if (Date.now() > deadline) throw new Error(`another instance held the start-up lock for over ${Math.round(timeoutMs / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    try {
      return await work();
    } finally {
      await runner.query(`SELECT pg_advisory_unlock($1)`, [LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
