import path from "node:path";
import type { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { Piscina } from "piscina";
import type { DataSource } from "typeorm";
import type { AppConfig } from "../config";
import { countStatement, queryTimeoutError, serverBusyError, type ReadDatabase, type ReadQueryOptions } from "./read-database";
import type { ReadResult, ReadTask, ReadWorkerData } from "./read.worker";

/** How long a worker waits for a lock before failing; WAL readers only wait during recovery. */
const BUSY_TIMEOUT_MS = 1_000;
/** Search statements are long; a deep queue of them only turns into timeouts. */
const SEARCH_QUEUE_PER_THREAD = 16;
/** How often deadlines are checked: a statement is abandoned at most this late. */
const SWEEP_MS = 25;

/**
 * A statement's deadline, in the EventEmitter form of abort signal piscina accepts. One timer
 * sweeps them all: an AbortSignal.timeout per statement cost the main thread more than running
 * a small statement in process did.
 */
class Deadline {
  aborted = false;
  private listener: (() => void) | null = null;

  constructor(readonly at: number) {}

  once(_event: "abort", listener: () => void) {
    this.listener = listener;
  }

  off() {
    this.listener = null;
  }

  removeListener() {
    this.listener = null;
  }

  expire() {
    this.aborted = true;
    const listener = this.listener;
    this.listener = null;
    listener?.();
  }
}

class Deadlines {
  private readonly pending = new Set<Deadline>();
  private timer: NodeJS.Timeout | null = null;

  start(ms: number): Deadline {
    const deadline = new Deadline(performance.now() + ms);
    this.pending.add(deadline);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), SWEEP_MS);
      this.timer.unref();
    }
    return deadline;
  }

  finish(deadline: Deadline) {
    this.pending.delete(deadline);
    this.stopWhenIdle();
  }

  private sweep() {
    const now = performance.now();
    for (const deadline of this.pending) {
      if (deadline.at > now) continue;
      this.pending.delete(deadline);
      deadline.expire();
    }
    this.stopWhenIdle();
  }

  private stopWhenIdle() {
    if (this.pending.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * One piscina pool and the threads it has let go of. Piscina aborts a statement past its
 * deadline by terminating its worker and starting a replacement at once, but SQLite cannot be
 * stopped from outside the thread running it: the old thread finishes the statement (ours are
 * all finite) and only then exits. Such threads still burn a core, so they are counted, and a
 * lane whose abandoned threads outnumber its own refuses new statements until they are gone.
 */
class Lane {
  readonly pool: Piscina<ReadTask, ReadResult>;
  private readonly alive = new Set<Worker>();
  private readonly deadlines = new Deadlines();

  constructor(
    readonly size: number,
    maxQueue: number,
    workerData: ReadWorkerData,
  ) {
    this.pool = new Piscina({
      filename: path.join(__dirname, "read.worker.js"),
      minThreads: size,
      maxThreads: size,
      // Connections and their statement caches are worth keeping; idle threads cost little.
      idleTimeout: 24 * 3_600_000,
      maxQueue,
      concurrentTasksPerWorker: 1,
      workerData,
    });
    this.pool.on("workerCreate", () => this.track());
    // A worker that dies outside a task (it should not) must not take the process with it.
    this.pool.on("error", () => {});
  }

  private track() {
    for (const thread of this.pool.threads) {
      if (this.alive.has(thread)) continue;
      this.alive.add(thread);
      thread.once("exit", () => this.alive.delete(thread));
    }
  }

  /** Threads terminated by a deadline that are still finishing their statement. */
  get abandoned(): number {
    return Math.max(0, this.alive.size - this.pool.threads.length);
  }

  async run(task: ReadTask, timeoutMs: number): Promise<unknown[]> {
    if (this.abandoned >= this.size) throw serverBusyError();
    const signal = timeoutMs > 0 ? this.deadlines.start(timeoutMs) : undefined;
    let result: ReadResult;
    try {
      result = await this.pool.run(task, signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted) throw queryTimeoutError();
      if (/queue is at limit|No task queue available/i.test(String((error as Error)?.message))) throw serverBusyError();
      throw error;
    } finally {
      if (signal) this.deadlines.finish(signal);
    }
    if ("rows" in result) return result.rows;
    throw Object.assign(new Error(result.error.message), result.error.code ? { code: result.error.code } : {});
  }
}

/**
 * SQLite reads on worker threads: page reads on one pool, full-text search on another, so a
 * backlog of expensive searches never stands between a reader and an article page. Each worker
 * has its own read-only connection (src/db/read.worker.ts). Named parameters are expanded here
 * by the writer's driver, so a statement reads exactly as it would through TypeORM.
 */
class SqliteReadPool implements ReadDatabase {
  readonly dialect = "sqlite" as const;
  private readonly pages: Lane;
  private readonly search: Lane;
  private probeConnection: Database.Database | undefined;

  constructor(
    private readonly file: string,
    private readonly settings: AppConfig["reads"],
    private readonly writer: DataSource,
  ) {
    const workerData: ReadWorkerData = { path: file, busyTimeoutMs: BUSY_TIMEOUT_MS };
    this.pages = new Lane(settings.poolSize, settings.maxQueue, workerData);
    this.search = new Lane(settings.searchPoolSize, Math.min(settings.maxQueue, SEARCH_QUEUE_PER_THREAD * settings.searchPoolSize), workerData);
  }

  /** Page reads waiting for a worker: when they pile up, every request is waiting. */
  get queued(): number {
    return this.pages.pool.queueSize;
  }

  async query<Row>(sql: string, params: Record<string, unknown> = {}, options: ReadQueryOptions = {}): Promise<Row[]> {
    const [text, values] = this.writer.driver.escapeQueryWithParameters(sql, params, {});
    countStatement();
    const lane = options.heavy ? this.search : this.pages;
    return (await lane.run({ sql: text, params: values }, this.settings.queryTimeoutMs)) as Row[];
  }

  /**
   * Readiness must not queue behind reads, so it asks the file directly on a connection of its
   * own: a one-page read that never waits for a lock (timeout 0), plus live workers in both pools.
   */
  async probe(): Promise<void> {
    if (this.pages.pool.threads.length === 0 || this.search.pool.threads.length === 0) throw new Error("no read workers running");
    this.probeConnection ??= new Database(this.file, { readonly: true, fileMustExist: true, timeout: 0 });
    this.probeConnection.prepare("SELECT count(*) AS n FROM sqlite_master").get();
  }

  async close(): Promise<void> {
    this.probeConnection?.close();
    await Promise.all([this.pages.pool.destroy(), this.search.pool.destroy()]);
  }
}

export async function openSqliteReadPool(file: string, settings: AppConfig["reads"], writer: DataSource): Promise<ReadDatabase> {
  return new SqliteReadPool(file, settings, writer);
}
