import type { DataSource, EntityManager } from "typeorm";
import { collectContentEvents, type ContentEvent } from "../events/content-events";
import { completeEventKeys } from "../events/event-keys";

/**
 * SQLite has one writer at a time and TypeORM drives it through a single connection, so two
 * overlapping transactions would interleave on that connection. Every write transaction goes
 * through this queue: writers wait their turn in order instead of failing with SQLITE_BUSY.
 * PostgreSQL has real concurrent transactions, so there the queue is not used.
 *
 * It is also the one door every write passes, so it is where the content events a write
 * recorded are handed on: inside the transaction (outbox rows, notifications that must commit
 * or vanish with it) and after the commit (in-process caches).
 */
let tail: Promise<unknown> = Promise.resolve();

/** May return a promise: the write's caller waits for it (caches dropped before the mutation answers). */
type CommittedListener = (dataSource: DataSource, events: readonly ContentEvent[]) => void | Promise<void>;
type BeforeCommitHook = (manager: EntityManager, events: readonly ContentEvent[]) => Promise<void>;

const committedListeners = new Set<CommittedListener>();
const beforeCommitHooks = new Set<BeforeCommitHook>();

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

async function runAndNotify<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  let recorded: readonly ContentEvent[] = [];
  const result = await dataSource.transaction(async (manager) => {
    const { events, result: done } = collectContentEvents(() => work(manager));
    const value = await done;
    if (events.length > 0) {
      await completeEventKeys(manager, events);
      for (const hook of beforeCommitHooks) await hook(manager, events);
    }
    recorded = events;
    return value;
  });
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

export function writeTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type === "postgres") return runAndNotify(dataSource, work);
  const run = tail.then(() => runAndNotify(dataSource, work));
  tail = run.catch(() => undefined);
  return run;
}
