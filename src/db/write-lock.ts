import { setTimeout as sleep } from "node:timers/promises";
import type { DataSource, EntityManager, QueryRunner } from "typeorm";
import { conflict, serviceUnavailable } from "../errors";
import { collectContentEvents, type ContentEvent } from "../events/content-events";
import { completeEventKeys } from "../events/event-keys";
import { writeConcurrency } from "./dialect";
import { isLockTimeout, isRetryableConflict, isSqliteBusy, isUniqueViolation } from "./driver-errors";
import type { StatementTally } from "./request-scope";
import { chargeStatementsOf } from "./statement-counter";

/**
 * The one door every write transaction passes, on either engine.
 *
 * SQLite has one writer at a time and TypeORM drives it through a single connection, so two
 * overlapping transactions of this process would interleave on that connection: they queue
 * here, in order. Other processes (a second server, `npm run seed`, `search:reindex`) are kept
 * apart by SQLite itself: every write transaction starts with BEGIN IMMEDIATE, which takes the
 * writer before the first read, so what the transaction reads stays true until it commits, and
 * a writer held elsewhere is waited for (up to WRITER_WAIT_MS) instead of failing with
 * "database is locked". TypeORM's own transactions start DEFERRED, which cannot wait: a read
 * followed by a write fails at once when another process wrote in between.
 *
 * PostgreSQL runs transactions side by side; the repositories lock the rows they change
 * (dialect.ts), a lock wait has a deadline (lock_timeout), and a transaction that loses a
 * deadlock is run again.
 *
 * It is also where the content events a write recorded are handed on: inside the transaction
 * (outbox rows, notifications that must commit or vanish with it) and after the commit
 * (in-process caches).
 */
let tail: Promise<unknown> = Promise.resolve();

/**
 * How long a writer waits for another one (another process's transaction on SQLite, a row lock
 * on PostgreSQL) before giving up with SERVICE_UNAVAILABLE. Also SQLite's busy timeout.
 */
export const WRITER_WAIT_MS = 10_000;

/** May return a promise: the write's caller waits for it (caches dropped before the mutation answers). */
type CommittedListener = (dataSource: DataSource, events: readonly ContentEvent[]) => void | Promise<void>;
type BeforeCommitHook = (manager: EntityManager, events: readonly ContentEvent[]) => Promise<void>;

const committedListeners = new Set<CommittedListener>();
const beforeCommitHooks = new Set<BeforeCommitHook>();

/** Runs of a PostgreSQL transaction that lost a deadlock before the write is refused with CONFLICT. */
const DEADLOCK_ATTEMPTS = 4;

/** Called after every committed write transaction with the events it recorded (often none); returns the unsubscribe function. */
export function onWriteCommitted(listener: CommittedListener): () => void {
  committedListeners.add(listener);
  return () => committedListeners.delete(listener);
}

/**
 * Called inside every write transaction that recorded events, after its work and before its
 * commit: what it writes commits or rolls back with the change. Returns the unsubscribe function.
 */
export function onBeforeCommit(hook: BeforeCommitHook): () => void {
  beforeCommitHooks.add(hook);
  return () => beforeCommitHooks.delete(hook);
}

const writerBusy = () => serviceUnavailable("the database is busy with another writer; nothing was written, try again");

/** Connections whose busy timeout has been handed over to the asynchronous wait below. */
const asyncWaiters = new WeakSet<DataSource>();

/**
 * BEGIN IMMEDIATE, waiting for a writer held by another connection. SQLite's own busy wait is
 * not used for it: better-sqlite3 runs on the event loop, where that wait would freeze every
 * request for as long as the other writer holds on, and its sleeps grow to 100 ms, long enough
 * to miss every gap between the transactions of a seed run. So the writer connection's busy
 * timeout is zero and the wait happens here, between event-loop turns, retrying every few
 * milliseconds until WRITER_WAIT_MS.
 */
async function beginImmediate(dataSource: DataSource, runner: QueryRunner): Promise<void> {
  if (!asyncWaiters.has(dataSource)) {
    await runner.query("PRAGMA busy_timeout = 0");
    asyncWaiters.add(dataSource);
  }
  const deadline = performance.now() + WRITER_WAIT_MS;
  let pause = 1;
  for (;;) {
    try {
      await runner.query("BEGIN IMMEDIATE");
      break;
    } catch (error) {
      if (!isSqliteBusy(error)) throw error;
      const left = deadline - performance.now();
      if (left <= 0) throw writerBusy();
      await sleep(Math.min(pause, left));
      pause = Math.min(pause * 2, 8);
    }
  }
  // The transaction was opened by hand; tell the runner, so its commit, rollback and nested
  // transactions (savepoints, used by the slug retry) work as if it had opened it.
  Object.assign(runner, { isTransactionActive: true, transactionDepth: 1 });
}

async function sqliteTransaction<T>(dataSource: DataSource, body: (manager: EntityManager) => Promise<T>, tally?: StatementTally): Promise<T> {
  const runner = dataSource.createQueryRunner();
  const uncharge = tally ? chargeStatementsOf(runner, tally) : undefined;
  try {
    await beginImmediate(dataSource, runner);
    const value = await body(runner.manager);
    await runner.commitTransaction();
    return value;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    uncharge?.();
    await runner.release();
  }
}

async function postgresTransaction<T>(dataSource: DataSource, body: (manager: EntityManager) => Promise<T>, tally?: StatementTally): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(async (manager) => {
        // Each transaction has a runner of its own here, dropped with it.
        if (tally) chargeStatementsOf(manager.queryRunner as QueryRunner, tally);
        await manager.query(`SET LOCAL lock_timeout = ${Number(WRITER_WAIT_MS)}`);
        return body(manager);
      });
    } catch (error) {
      if (!isRetryableConflict(error)) throw error;
      if (attempt >= DEADLOCK_ATTEMPTS) throw conflict("this write collided with concurrent writes to the same rows; nothing was written, try again");
      await sleep(5 * attempt);
    }
  }
}

/** Driver errors that a client can act on become errors with a code; anything else stays as it is (a 500, logged). */
function explain(error: unknown): unknown {
  if (isUniqueViolation(error)) return conflict("another write took the same unique value (a slug, a revision number) at the same moment; nothing was written, try again");
  if (isLockTimeout(error) || isSqliteBusy(error)) return writerBusy();
  return error;
}

async function runAndNotify<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>, tally?: StatementTally): Promise<T> {
  let recorded: readonly ContentEvent[] = [];
  const body = async (manager: EntityManager) => {
    // Both transaction paths hand over their runner's manager, so queryRunner is always set.
    const { events, value } = await collectContentEvents(manager.queryRunner as QueryRunner, () => work(manager));
    if (events.length > 0) {
      await completeEventKeys(manager, events);
      for (const hook of beforeCommitHooks) await hook(manager, events);
    }
    recorded = events;
    return value;
  };
  let result: T;
  try {
    result = writeConcurrency(dataSource) === "row-locks" ? await postgresTransaction(dataSource, body, tally) : await sqliteTransaction(dataSource, body, tally);
  } catch (error) {
    throw explain(error);
  }
  // The change has committed whatever a listener does; a failing listener must not fail the write.
  await Promise.all([...committedListeners].map(async (listener) => {
    try {
      await listener(dataSource, recorded);
    } catch {
      // Listeners own their error handling; this only keeps the caller's result.
    }
  }));
  return result;
}

/** A write's database, and the request its statements are charged to (x-sql-statements) when there is one. */
export type WriteTarget = DataSource | { writer: DataSource; request?: StatementTally };

export function writeTransaction<T>(target: WriteTarget, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const [dataSource, tally] = "writer" in target ? [target.writer, target.request] : [target, undefined];
  if (writeConcurrency(dataSource) === "row-locks") return runAndNotify(dataSource, work, tally);
  const run = tail.then(() => runAndNotify(dataSource, work, tally));
  tail = run.catch(() => undefined);
  return run;
}
