import path from "node:path";
import type { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import { betterSqlite3 } from "./better-sqlite3";
import { Piscina } from "piscina";
import type { AppConfig } from "../config";
import { MAX_BOUNDED_KEYS, queryTimeoutError, SEARCH_QUEUE_PER_THREAD, serverBusyError, type ReadDatabase, type ReadQueryOptions } from "./read-database";
import { timestampParam } from "./dialect";
import { CompiledSqlCache, compileNamedParameters, valuesOf } from "./named-parameters";
import { SqliteStatements } from "./sqlite-statements";
import type { ReadResult, ReadTask, ReadWorkerData } from "./read.worker";

/** Statement shapes kept compiled; the loaders build a few dozen, times the numbers written into them. */
const MAX_STATEMENT_SHAPES = 2_000;

/** SQLite has no boolean or date type: TypeORM's driver binds 1/0, and instants in the text form the tables keep. */
function sqliteValue(value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return timestampParam({ dialect: "sqlite" }, value);
  return value;
}

/** How long a worker waits for a lock before failing; WAL readers only wait during recovery. */
const BUSY_TIMEOUT_MS = 1_000;
/** Search workers yield the CPU to the event loop and to page reads. */
const SEARCH_NICE = 10;
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

interface Waiting {
  task: ReadTask;
  deadline: Deadline | null;
  resolve(rows: unknown[]): void;
  reject(error: unknown): void;
}

/**
 * One piscina pool, fed one statement per free worker from a bounded queue of its own, so that
 * a statement is either waiting here (and a deadline just drops it) or running on a thread.
 *
 * Piscina aborts a running statement past its deadline by terminating its worker and starting a
 * replacement at once, but SQLite cannot be stopped from outside the thread running it: the old
 * thread finishes the statement (ours are all finite) and only then exits. Until it does, it
 * keeps its place: the lane starts no more statements than it has threads minus those still
 * finishing abandoned work, so timeouts never pile up threads competing for the same cores.
 */
class Lane {
  readonly pool: Piscina<ReadTask, ReadResult>;
  private readonly alive = new Set<Worker>();
  private readonly deadlines = new Deadlines();
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(
    readonly size: number,
    private readonly maxQueue: number,
    workerData: ReadWorkerData,
    /** Added to the workers' nice value: the event loop (health checks, page rendering) goes first. */
    niceIncrement: number,
  ) {
    this.pool = new Piscina({
      filename: path.join(__dirname, "read.worker.js"),
      minThreads: size,
      maxThreads: size,
      // Connections and their statement caches are worth keeping; idle threads cost little.
      idleTimeout: 24 * 3_600_000,
      concurrentTasksPerWorker: 1,
      // Per-task run and wait histograms cost the main thread on every statement; nothing reads them.
      recordTiming: false,
      niceIncrement,
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
      thread.once("exit", () => {
        this.alive.delete(thread);
        this.pump();
      });
    }
  }

  /** Threads terminated by a deadline that are still finishing their statement. */
  get abandoned(): number {
    return Math.max(0, this.alive.size - this.pool.threads.length);
  }

  /** Statements waiting for a thread. */
  get queued(): number {
    return this.waiting.length;
  }

  run(task: ReadTask, timeoutMs: number): Promise<unknown[]> {
    if (this.waiting.length >= this.maxQueue) return Promise.reject(serverBusyError());
    return new Promise((resolve, reject) => {
      const entry: Waiting = { task, deadline: timeoutMs > 0 ? this.deadlines.start(timeoutMs) : null, resolve, reject };
      // While it waits, the deadline only drops it from the queue; once it runs, piscina
      // listens instead (and terminates the worker).
      entry.deadline?.once("abort", () => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(queryTimeoutError());
      });
      this.waiting.push(entry);
      this.pump();
    });
  }

  private pump() {
    while (this.waiting.length > 0 && this.running < this.size - this.abandoned) {
      const entry = this.waiting.shift()!;
      this.running++;
      this.pool
        .run(entry.task, entry.deadline ? { signal: entry.deadline } : {})
        .then(
          (result) => {
            if ("rows" in result) entry.resolve(result.rows);
            else entry.reject(Object.assign(new Error(result.error.message), result.error.code ? { code: result.error.code } : {}));
          },
          (error) => entry.reject(entry.deadline?.aborted ? queryTimeoutError() : error),
        )
        .finally(() => {
          this.running--;
          if (entry.deadline) this.deadlines.finish(entry.deadline);
          this.pump();
        });
    }
  }

  async close(): Promise<void> {
    for (const entry of this.waiting.splice(0)) entry.reject(serverBusyError());
    await this.pool.destroy();
  }
}

/**
 * SQLite reads on worker threads: page reads on one pool, full-text search on another, so a
 * backlog of expensive searches never stands between a reader and an article page. Each worker
 * has its own read-only connection (src/db/read.worker.ts). Named parameters are expanded here,
 * once per statement shape, with values converted as TypeORM's SQLite driver converts them.
 */
class SqliteReadPool implements ReadDatabase {
  readonly dialect = "sqlite" as const;
  private readonly pages: Lane;
  private readonly search: Lane;
  private probeConnection: Database.Database | undefined;
  /**
   * Bounded statements on the event loop: a few index probes, or one page of an index range,
   * take less time than handing the statement to a worker and waking the loop for its answer.
   */
  private readonly inline: SqliteStatements;
  private readonly statements = new CompiledSqlCache(MAX_STATEMENT_SHAPES, (sql, params) => compileNamedParameters(sql, params, "anonymous"), true);

  constructor(
    private readonly file: string,
    private readonly settings: AppConfig["reads"],
  ) {
    const workerData: ReadWorkerData = { path: file, busyTimeoutMs: BUSY_TIMEOUT_MS };
    this.pages = new Lane(settings.poolSize, settings.maxQueue, workerData, 0);
    this.search = new Lane(settings.searchPoolSize, Math.min(settings.maxQueue, SEARCH_QUEUE_PER_THREAD * settings.searchPoolSize), workerData, SEARCH_NICE);
    // Never waits for a lock (WAL readers only meet one during recovery): a busy statement goes to
    // a worker instead of stalling the loop.
    this.inline = new SqliteStatements(file, 0);
  }

  /** Page reads waiting for a worker: when they pile up, every request is waiting. */
  get queued(): number {
    return this.pages.queued;
  }

  async query<Row>(sql: string, params: Record<string, unknown> = {}, options: ReadQueryOptions = {}): Promise<Row[]> {
    const { text, paths } = this.statements.get(sql, params);
    const values = valuesOf(paths, params, sqliteValue);
    if (options.bounded && Object.values(params).every((v) => !Array.isArray(v) || v.length <= MAX_BOUNDED_KEYS)) {
      try {
        return this.inline.all(text, values) as Row[];
      } catch (error) {
        // The loop never waits for a lock; a worker may (BUSY_TIMEOUT_MS), under its deadline.
        if (!String((error as { code?: unknown } | null)?.code).startsWith("SQLITE_BUSY")) throw error;
      }
    }
    const lane = options.heavy ? this.search : this.pages;
    return (await lane.run({ sql: text, params: values }, this.settings.queryTimeoutMs)) as Row[];
  }

  /**
   * Readiness must not queue behind reads, so it asks the file directly on a connection of its
   * own: a one-page read that never waits for a lock (timeout 0), plus live workers in both pools.
   */
  async probe(): Promise<void> {
    if (this.pages.pool.threads.length === 0 || this.search.pool.threads.length === 0) throw new Error("no read workers running");
    this.probeConnection ??= new (betterSqlite3())(this.file, { readonly: true, fileMustExist: true, timeout: 0 });
    this.probeConnection.prepare("SELECT count(*) AS n FROM sqlite_master").get();
  }

  async close(): Promise<void> {
    this.probeConnection?.close();
    this.inline.close();
    await Promise.all([this.pages.close(), this.search.close()]);
  }
}

export async function openSqliteReadPool(file: string, settings: AppConfig["reads"]): Promise<ReadDatabase> {
  return new SqliteReadPool(file, settings);
}
