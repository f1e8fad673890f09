import { HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import { DataSource } from "typeorm";
import type { AppConfig } from "../config";
import { openReadDataSource } from "./data-source";
import type { Dialect } from "./dialect";
import type { StatementTally } from "./request-scope";

export interface ReadQueryOptions {
  /**
   * Statements whose cost grows with user input (full-text search) run in their own lane, so
   * however many of them are waiting, page reads still find a free worker.
   */
  heavy?: boolean;
  /**
   * A statement whose cost is bounded by its keys or its page, whatever the data: a lookup by
   * primary or unique key (ids, slugs, an article's tags), or one page of a list walked in
   * index order (`LIMIT` rows of an index range). Where a hop to a worker thread costs more
   * than such a statement (SQLite), it is answered on the calling thread. One with more than
   * MAX_BOUNDED_KEYS keys in a list parameter still goes to a worker.
   */
  bounded?: boolean;
}

/** Keys up to which a bounded statement stays on the calling thread (tens of microseconds). */
export const MAX_BOUNDED_KEYS = 200;

/**
 * Where every loader reads: raw SQL with TypeORM's `:name` / `:...list` parameters, answered
 * off the event loop where the driver allows it, each statement with a deadline. Writes never
 * come here; they keep the one TypeORM writer.
 */
export interface ReadDatabase {
  readonly dialect: Dialect;
  query<Row = Record<string, unknown>>(sql: string, params?: Record<string, unknown>, options?: ReadQueryOptions): Promise<Row[]>;
  /** Statements waiting for a connection or worker; the load shedder reads it. */
  readonly queued: number;
  /** For /readyz: settles within `deadlineMs` and never queues behind reads. */
  probe(deadlineMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Search statements are long: more waiting than a thread can answer within a deadline only
 * turns into timeouts. Admission keeps the searches it lets run within what this admits.
 */
export const SEARCH_QUEUE_PER_THREAD = 4;

const retryAfter = (seconds: number) => new HeaderMap([["retry-after", String(seconds)]]);

/** A statement ran past its deadline and was abandoned; the client may retry later. */
export function queryTimeoutError(): GraphQLError {
  return new GraphQLError("the request took too long to answer and was stopped; retry later", {
    extensions: { code: "QUERY_TIMEOUT", http: { status: 503, headers: retryAfter(1) } },
  });
}

/** Too much is waiting already; refusing now is kinder than answering late. */
export function serverBusyError(): GraphQLError {
  return new GraphQLError("the server is busy; retry later", {
    extensions: { code: "SERVER_BUSY", http: { status: 503, headers: retryAfter(1) } },
  });
}

/**
 * The reads of one request: every statement sent through it is charged to `request`
 * (`x-sql-statements`, the log line, the metrics) before it goes to the shared reader. A class,
 * not an object literal: a literal with a getter gets a hidden class of its own per request,
 * which V8 keeps in old space until a full collection (see graphql/gateway-request-context.ts).
 */
class ChargedReads implements ReadDatabase {
  readonly dialect: Dialect;
  constructor(
    private readonly reader: ReadDatabase,
    private readonly request: StatementTally,
  ) {
    this.dialect = reader.dialect;
  }
  get queued(): number {
    return this.reader.queued;
  }
  query<Row = Record<string, unknown>>(sql: string, params?: Record<string, unknown>, options?: ReadQueryOptions): Promise<Row[]> {
    this.request.statements += 1;
    return this.reader.query<Row>(sql, params, options);
  }
  probe(deadlineMs: number): Promise<void> {
    return this.reader.probe(deadlineMs);
  }
  close(): Promise<void> {
    return this.reader.close();
  }
}

export function chargeReads(reader: ReadDatabase, request: StatementTally): ReadDatabase {
  return new ChargedReads(reader, request);
}

function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (ms <= 0) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Reads through a TypeORM DataSource in this process, for the SQLite fallbacks: the sqlite3
 * driver, which already works on libuv's threads, and `:memory:`, which cannot be opened twice.
 * The deadline abandons the answer, not the statement, which runs to its end.
 *
 * SQLite runs one statement at a time per connection, and the sqlite3 driver parks every
 * statement sent meanwhile on a libuv thread, the same four threads file and DNS work need; so
 * on SQLite statements wait here, in a bounded queue, and take one thread at a time.
 */
class DataSourceReader implements ReadDatabase {
  private inFlight = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly dialect: "sqlite",
    private readonly dataSource: DataSource,
    private readonly settings: AppConfig["reads"],
    /** Statements sent to the driver at once. */
    private readonly concurrency: number,
    private readonly owned: boolean,
    private readonly probeSource: DataSource,
  ) {}

  get queued(): number {
    return Math.max(0, this.inFlight - this.concurrency);
  }

  private async turn(abandoned: () => boolean): Promise<boolean> {
    if (this.running < this.concurrency) {
      this.running++;
      return true;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    // The turn was handed over with the slot taken; a statement abandoned meanwhile gives it on.
    if (abandoned()) {
      this.done();
      return false;
    }
    return true;
  }

  private done() {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private async run<Row>(text: string, values: unknown[], abandoned: () => boolean): Promise<Row[]> {
    if (!(await this.turn(abandoned))) return [];
    try {
      return await this.dataSource.query<Row[]>(text, values);
    } finally {
      this.done();
    }
  }

  async query<Row>(sql: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    const [text, values] = this.dataSource.driver.escapeQueryWithParameters(sql, params, {});
    if (this.inFlight - this.concurrency >= this.settings.maxQueue) throw serverBusyError();
    let timedOut = false;
    this.inFlight++;
    try {
      return await withDeadline(this.run<Row>(text, values, () => timedOut), this.settings.queryTimeoutMs, () => {
        timedOut = true;
        return queryTimeoutError();
      });
    } finally {
      this.inFlight--;
    }
  }

  async probe(deadlineMs: number): Promise<void> {
    await withDeadline(this.probeSource.query("SELECT 1"), deadlineMs, () => new Error(`database probe took over ${deadlineMs} ms`));
  }

  async close(): Promise<void> {
    if (this.owned && this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * Picks the reader for the configured database: SQLite files on better-sqlite3 read on worker
 * threads (src/db/read-pool.sqlite.ts); PostgreSQL on a pg pool of its own with prepared
 * statements and a server-side statement timeout (src/db/read-pool.postgres.ts); the sqlite3 driver and `:memory:` in process.
 */
export async function openReadDatabase(config: AppConfig, writer: DataSource): Promise<ReadDatabase> {
  const database = config.database;
  if (database.type === "postgres") {
    const { openPostgresReadPool } = await import("./read-pool.postgres");
    return openPostgresReadPool(database.url, config.reads);
  }
  if (database.driver === "better-sqlite3" && database.path !== ":memory:" && !config.reads.sqliteInProcess) {
    const { openSqliteReadPool } = await import("./read-pool.sqlite");
    return openSqliteReadPool(database.path, config.reads);
  }
  const reader = await openReadDataSource(database, writer);
  return new DataSourceReader("sqlite", reader, config.reads, 1, reader !== writer, writer);
}
