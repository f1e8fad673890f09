import { createHash } from "node:crypto";
import { Pool, types, type PoolConfig, type QueryConfig, type QueryResult } from "pg";
import type { AppConfig } from "../config";
import { CompiledSqlCache, compileNamedParameters, valuesOf, type CompiledSql } from "./named-parameters";
import { queryTimeoutError, serverBusyError, type ReadDatabase } from "./read-database";

/**
 * Distinct statement texts this process prepares by name. The loaders build their SQL from a
 * bounded set of shapes (selected columns, filters, orders), so this is a guard, not a working
 * limit: past it a new text runs unnamed, parsed and planned on every call as before.
 */
const MAX_PREPARED_STATEMENTS = 1_000;

interface PreparedStatement extends CompiledSql {
  /** The server-side name, or undefined once the prepared set is full. */
  name: string | undefined;
}

/**
 * Every connection of ours runs with JIT off. Page statements take milliseconds; JIT compiles
 * a plan whose estimated cost passes `jit_above_cost`, and one misestimate (a database just
 * loaded, statistics not yet gathered) made each related-articles statement spend 550 ms
 * compiling what then ran in 5 ms.
 */
export const CONNECTION_OPTIONS = "-c jit=off";

/** The read pool's sessions also speak UTC, so every timestamp arrives in the one form parseUtcTimestamp reads. */
const READ_CONNECTION_OPTIONS = `${CONNECTION_OPTIONS} -c TimeZone=UTC`;

const TIMESTAMPTZ_OID = 1184;
type TextParser = (text: string) => unknown;
const defaultTimestampParser = types.getTypeParser(TIMESTAMPTZ_OID, "text") as TextParser;

const digitsAt = (text: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
};

/**
 * A `timestamptz` in a UTC session, `2023-09-13 12:59:00.123456+00`, read by position. pg's
 * default parser runs a regular expression per value, and a page of twenty articles with their
 * authors and tags carries a hundred timestamps: it was a tenth of what the page allocated.
 * Anything else (another zone, a year before 1000, BC, infinity) goes to that default parser.
 * Like it, the fraction is cut to milliseconds.
 */
export function parseUtcTimestamp(text: string): Date {
  const length = text.length;
  if (length < 22 || length > 29 || text.charCodeAt(10) !== 32 || !text.endsWith("+00") || text.charCodeAt(0) === 48) return defaultTimestampParser(text) as Date;
  let ms = 0;
  if (length > 22) {
    if (text.charCodeAt(19) !== 46) return defaultTimestampParser(text) as Date;
    const fraction = Math.min(length - 23, 3);
    ms = digitsAt(text, 20, 20 + fraction) * (fraction === 1 ? 100 : fraction === 2 ? 10 : 1);
  }
  return new Date(Date.UTC(digitsAt(text, 0, 4), digitsAt(text, 5, 7) - 1, digitsAt(text, 8, 10), digitsAt(text, 11, 13), digitsAt(text, 14, 16), digitsAt(text, 17, 19), ms));
}

const typeParser = (oid: number, format?: "text" | "binary"): TextParser =>
  oid === TIMESTAMPTZ_OID && format !== "binary" ? parseUtcTimestamp : (types.getTypeParser(oid, format ?? "text") as TextParser);
const READ_TYPES = { getTypeParser: typeParser };

function isStatementTimeout(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  return e?.code === "57014" || /Query read timeout/.test(String(e?.message));
}

function isPoolWaitTimeout(error: unknown): boolean {
  return /timeout exceeded when trying to connect/.test(String((error as Error | null)?.message));
}

/**
 * PostgreSQL page reads on a pg pool of their own, so a slow read never holds a connection a
 * write needs. Statements are prepared by name on each connection: the loaders send the same
 * few texts all day, and parsing and planning them again on every call cost the database more
 * CPU than running them. Every connection carries `statement_timeout`, so the server itself
 * cancels a statement past the deadline; a read deadline of our own backs it up on the client
 * side (a network that stops answering) and `connectionTimeoutMillis` bounds the wait for a
 * free connection.
 */
class PostgresReadPool implements ReadDatabase {
  readonly dialect = "postgres" as const;
  private prepared = 0;
  private readonly statements = new CompiledSqlCache<PreparedStatement>(MAX_PREPARED_STATEMENTS * 2, (sql, params) => {
    const { text, paths } = compileNamedParameters(sql, params, "numbered");
    const name = this.prepared < MAX_PREPARED_STATEMENTS ? `r_${createHash("sha1").update(text).digest("hex").slice(0, 20)}` : undefined;
    if (name) this.prepared++;
    return { text, paths, name };
  });
  private readonly pool: Pool;
  /** How long an answer may take once its statement has a connection; 0 for no limit. */
  private readonly readTimeoutMs: number;

  constructor(
    url: string,
    private readonly settings: AppConfig["reads"],
    private readonly probePool: Pool,
  ) {
    const { queryTimeoutMs, poolSize } = settings;
    const timeouts: PoolConfig = queryTimeoutMs > 0 ? { statement_timeout: queryTimeoutMs, connectionTimeoutMillis: queryTimeoutMs } : {};
    this.readTimeoutMs = queryTimeoutMs > 0 ? queryTimeoutMs + 1_000 : 0;
    this.pool = new Pool({ connectionString: url, max: Math.max(2, poolSize * 2), application_name: "content-api reads", options: READ_CONNECTION_OPTIONS, types: READ_TYPES, ...timeouts });
    // An idle connection the server drops (a restart, pg_terminate_backend) is reported here;
    // the pool replaces it on the next checkout, and /readyz reports the outage meanwhile.
    this.pool.on("error", () => undefined);
  }

  /** Connections the pool is waiting for: when they pile up, every request is waiting. */
  get queued(): number {
    return this.pool.waitingCount;
  }

  async query<Row>(sql: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    const { text, paths, name } = this.statements.get(sql, params);
    const query: QueryConfig = { text, values: valuesOf(paths, params), name };
    try {
      return (await this.send(query)).rows as Row[];
    } catch (error) {
      if (isStatementTimeout(error)) throw queryTimeoutError();
      if (isPoolWaitTimeout(error)) throw serverBusyError();
      throw error;
    }
  }

  /**
   * What `pool.query` with pg's `query_timeout` does, written out: pg wraps the query's callback
   * in a new function after the query is made, and on V8 a function stored into an object after
   * it is made gives the object a hidden class of its own, kept in old space until a full
   * collection, and with it the rows and the request waiting for them (see
   * graphql/gateway-request-context.ts). Here the callback is the query's from the start. An
   * answer later than the deadline gives its connection back broken, so the pool closes it, and
   * any error does the same, as pool.query does.
   */
  private send(query: QueryConfig): Promise<QueryResult> {
    return new Promise((resolve, reject) => {
      this.pool.connect((connectError, client, release) => {
        if (connectError || !client) return reject(connectError ?? new Error("no connection"));
        let settled = false;
        const timer =
          this.readTimeoutMs > 0
            ? setTimeout(() => {
                settled = true;
                const error = new Error("Query read timeout");
                release(error);
                reject(error);
              }, this.readTimeoutMs)
            : undefined;
        const done = (error: Error | undefined, result?: QueryResult) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          release(error);
          if (error) reject(error);
          else resolve(result!);
        };
        try {
          client.query(query, done);
        } catch (error) {
          // A query pg refuses before sending it (a bad value) throws here, as under pool.query.
          done(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  async probe(deadlineMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`database probe took over ${deadlineMs} ms`)), deadlineMs);
    });
    try {
      await Promise.race([this.probePool.query("SELECT 1"), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.probePool.end()]);
  }
}

/**
 * Readiness must not queue behind reads: it asks on a one-connection pool of its own, with a
 * short connect timeout, so an outage answers within the probe's deadline.
 */
export async function openPostgresReadPool(url: string, settings: AppConfig["reads"]): Promise<ReadDatabase> {
  const probePool = new Pool({ connectionString: url, max: 1, application_name: "content-api readiness", connectionTimeoutMillis: settings.readyTimeoutMs, statement_timeout: settings.readyTimeoutMs });
  probePool.on("error", () => undefined);
  const reader = new PostgresReadPool(url, settings, probePool);
  // Fail at start-up, not on the first request, when the database cannot be reached.
  await reader.query("SELECT 1");
  return reader;
}
