import os from "node:os";
import path from "node:path";
import { betterSqlite3Available } from "./db/better-sqlite3";
import { loadWebhookConfig, type WebhookConfig } from "./webhooks/webhook-config";
import { feedsConfigFromEnv, type FeedsConfig } from "./feeds/feeds.config";
import { loadOpsConfig, type OpsConfig } from "./ops/config";

export type DatabaseConfig = (
  | { type: "sqlite"; path: string; driver: "sqlite3" | "better-sqlite3" }
  | { type: "postgres"; url: string }
) & {
  /** `DEBUG_SQL` (any value): failed and slow (over 200 ms) statements are printed on stderr with their SQL. */
  debugSql?: boolean;
};

/** One token bucket: `burst` requests at once, refilled at `perMinute`; 0 turns the bucket off. */
export interface RateLimitRule {
  perMinute: number;
  burst: number;
}

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface AppConfig {
  port: number;
  production: boolean;
  database: DatabaseConfig;
  cache: {
    /** Whole responses for anonymous readers, in memory; `RESPONSE_CACHE=off` disables it. */
    responseCache: boolean;
    maxBytes: number;
    /** Default max-age (seconds) of public responses; writes invalidate sooner. */
    maxAgeSeconds: number;
    /**
     * The header listing a public response's cache keys for a CDN to purge by (`CACHE_KEY_HEADER`:
     * `Surrogate-Key` by default, space-separated; `Cache-Tag` for Cloudflare, comma-separated),
     * kept under `CACHE_KEY_HEADER_MAX_BYTES` (default 8192) by collapsing keys (README).
     */
    keyHeader: { name: string; separator: string; maxBytes: number };
  };
  /** Checked before a document runs; see docs/hardening.md for why each default is what it is. */
  limits: {
    /** Largest request body accepted; larger ones get 413 before they are buffered. */
    maxBodyBytes: number;
    /** Lexical tokens per document; parsing stops past it, so a huge document costs little. */
    maxTokens: number;
    /** Nesting of fields in the executed operation (introspection fields excluded). */
    maxDepth: number;
    /** Estimated work: every field costs 1, and a paged list multiplies its children by `first`. */
    maxComplexity: number;
    maxAliases: number;
    maxDirectives: number;
    /** Objects and arrays nested in `variables` or `extensions`, the outer object counting as 1. */
    maxVariableDepth: number;
  };
  search: {
    /**
     * Markup around matched words in search snippets (`SEARCH_HIGHLIGHT_OPEN`/`_CLOSE`, default
     * `<mark>`/`</mark>`). Inserted verbatim into otherwise escaped HTML: operator-trusted.
     */
    highlightOpen: string;
    highlightClose: string;
  };
  rateLimit: {
    perAddress: RateLimitRule;
    perToken: RateLimitRule;
    /** Take the client address from the last X-Forwarded-For hop (only behind a proxy you run). */
    trustProxy: boolean;
    /** Expensive requests (searches, 4+ points) one address or token may have in flight at once. */
    expensiveConcurrency: number;
    /** With REDIS_URL: when Redis fails, "open" limits per process (in-memory insurance), "closed" refuses with 503. */
    redisFailure: "open" | "closed";
    /** Key prefix of the limiter's Redis keys (several deployments, or tests, can share one Redis). */
    redisPrefix: string;
  };
  /** Reads off the event loop, each with a deadline (src/db/read-database.ts, docs/hardening.md). */
  reads: {
    /** A read statement past this is abandoned and the request answered 503 QUERY_TIMEOUT. */
    queryTimeoutMs: number;
    /** SQLite worker threads for page reads, and separately for full-text search. */
    poolSize: number;
    searchPoolSize: number;
    /** Statements waiting for a worker, per pool; past it a statement fails with 503 SERVER_BUSY. */
    maxQueue: number;
    /** How long /readyz waits for its database probe. */
    readyTimeoutMs: number;
    /**
     * `SQLITE_READS=in-process`: SQLite page reads on the event loop, as before the worker pool.
     * A statement then blocks every request, so this exists to measure what the pool costs
     * (`npm run bench` ablation), not to run a newsroom on.
     */
    sqliteInProcess: boolean;
  };
  /**
   * GraphQL operations executing at once in this process (`MAX_CONCURRENT_OPERATIONS`, 0 turns
   * the bound off); the rest wait in arrival order, at most `maxQueued` of them and each for at
   * most `queueTimeoutMs` (0: no deadline), then get 503 SERVER_BUSY. docs/hardening.md.
   */
  operations: {
    maxConcurrent: number;
    maxQueued: number;
    queueTimeoutMs: number;
  };
  /** New GraphQL requests get 503 SERVER_BUSY while either passes its threshold (0 turns it off). */
  shedding: {
    queueDepth: number;
    eventLoopDelayMs: number;
  };
  logLevel: LogLevel;
  /**
   * `REDIS_URL`: shared state for several instances (response cache, persisted queries, rate
   * limits, invalidations). Unset: everything stays in this process.
   */
  redisUrl: string | null;
  /** Change webhooks: delivery worker, retries, URL policy (`WEBHOOK_*`). */
  webhooks: WebhookConfig;
  /** RSS/Atom/JSON Feed and sitemaps (src/feeds/); off while PUBLIC_SITE_URL is unset. */
  feeds: FeedsConfig;
  /** `REDIS_KEY_PREFIX` (default `content-api:`): every key this server writes in Redis starts with it. */
  redisPrefix: string;
  /** Metrics access, shutdown, worker processes: src/ops/config.ts. */
  ops: OpsConfig;
}

function intFromEnv(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${value}"`);
  return n;
}

function markerFromEnv(value: string | undefined, fallback: string, name: string): string {
  if (value === undefined) return fallback;
  if (value.length > 64) throw new Error(`${name} must be at most 64 characters`);
  return value;
}

function boolFromEnv(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === "") return fallback;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new Error(`${name} must be true or false, got "${value}"`);
}

function keyHeaderFromEnv(name: string | undefined, maxBytes: string | undefined): AppConfig["cache"]["keyHeader"] {
  const header = name === undefined || name === "" ? "Surrogate-Key" : name;
  if (!/^[A-Za-z0-9-]{1,64}$/.test(header)) throw new Error(`CACHE_KEY_HEADER must be a header name such as Surrogate-Key or Cache-Tag, got "${header}"`);
  const bytes = intFromEnv(maxBytes, 8192, "CACHE_KEY_HEADER_MAX_BYTES");
  if (bytes < 256) throw new Error("CACHE_KEY_HEADER_MAX_BYTES must be at least 256");
  // Cloudflare and Akamai read comma-separated tags; Fastly and Varnish xkey space-separated keys.
  const separator = /^(cache-tag|edge-cache-tag)$/i.test(header) ? "," : " ";
  return { name: header, separator, maxBytes: bytes };
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T {
  if (value === undefined || value === "") return allowed[0];
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${name} must be one of ${allowed.join(", ")}, got "${value}"`);
}

/** Page reads are short; more threads than cores only adds switching. */
const defaultPoolSize = Math.min(4, Math.max(2, os.availableParallelism()));

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function logLevelFromEnv(value: string | undefined): LogLevel {
  if (value === undefined || value === "") return "info";
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
}

const projectRoot = path.resolve(__dirname, "..", "..");

/**
 * better-sqlite3 is the default when one loads on this Node (src/db/better-sqlite3.ts): through
 * TypeORM it served the benchmark's list pages 35–50% faster than sqlite3 (prepared-statement
 * cache, no thread-pool round trip per statement; see bench/results.md). It is an optional
 * dependency, so a machine that cannot build it falls back to sqlite3, which stays supported and
 * tested (`SQLITE_DRIVER=sqlite3`).
 */
function chooseSqliteDriver(requested: string | undefined): "sqlite3" | "better-sqlite3" {
  if (requested === "sqlite3" || requested === "better-sqlite3") return requested;
  if (requested) throw new Error(`SQLITE_DRIVER must be sqlite3 or better-sqlite3, got "${requested}"`);
  return betterSqlite3Available() ? "better-sqlite3" : "sqlite3";
}

function parseDatabaseUrl(url: string | undefined, driver: string | undefined): DatabaseConfig {
  const sqliteDriver = chooseSqliteDriver(driver);
  if (!url) return { type: "sqlite", path: path.join(projectRoot, "data", "content.sqlite"), driver: sqliteDriver };
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length).replace(/^\/\//, "");
    return { type: "sqlite", path: file === ":memory:" ? file : path.resolve(file), driver: sqliteDriver };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return { type: "postgres", url };
  throw new Error(`DATABASE_URL must start with sqlite: or postgres://, got "${url.split(":")[0]}:"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    port: intFromEnv(env.PORT, 4000, "PORT"),
    production: env.NODE_ENV === "production",
    database: { ...parseDatabaseUrl(env.DATABASE_URL, env.SQLITE_DRIVER), debugSql: Boolean(env.DEBUG_SQL) },
    cache: {
      responseCache: (env.RESPONSE_CACHE ?? "memory") !== "off",
      maxBytes: intFromEnv(env.RESPONSE_CACHE_MAX_BYTES, 64 * 1024 * 1024, "RESPONSE_CACHE_MAX_BYTES"),
      maxAgeSeconds: intFromEnv(env.CACHE_MAX_AGE_SECONDS, 60, "CACHE_MAX_AGE_SECONDS"),
      keyHeader: keyHeaderFromEnv(env.CACHE_KEY_HEADER, env.CACHE_KEY_HEADER_MAX_BYTES),
    },
    limits: {
      maxBodyBytes: intFromEnv(env.MAX_BODY_BYTES, 100_000, "MAX_BODY_BYTES"),
      maxTokens: intFromEnv(env.MAX_QUERY_TOKENS, 2_000, "MAX_QUERY_TOKENS"),
      maxDepth: intFromEnv(env.MAX_QUERY_DEPTH, 10, "MAX_QUERY_DEPTH"),
      maxComplexity: intFromEnv(env.MAX_QUERY_COMPLEXITY, 5_000, "MAX_QUERY_COMPLEXITY"),
      maxAliases: intFromEnv(env.MAX_QUERY_ALIASES, 30, "MAX_QUERY_ALIASES"),
      maxDirectives: intFromEnv(env.MAX_QUERY_DIRECTIVES, 20, "MAX_QUERY_DIRECTIVES"),
      maxVariableDepth: intFromEnv(env.MAX_VARIABLE_DEPTH, 16, "MAX_VARIABLE_DEPTH"),
    },
    search: {
      highlightOpen: markerFromEnv(env.SEARCH_HIGHLIGHT_OPEN, "<mark>", "SEARCH_HIGHLIGHT_OPEN"),
      highlightClose: markerFromEnv(env.SEARCH_HIGHLIGHT_CLOSE, "</mark>", "SEARCH_HIGHLIGHT_CLOSE"),
    },
    rateLimit: {
      perAddress: {
        perMinute: intFromEnv(env.RATE_LIMIT_ADDRESS_PER_MINUTE, 600, "RATE_LIMIT_ADDRESS_PER_MINUTE"),
        burst: intFromEnv(env.RATE_LIMIT_ADDRESS_BURST, 120, "RATE_LIMIT_ADDRESS_BURST"),
      },
      perToken: {
        perMinute: intFromEnv(env.RATE_LIMIT_TOKEN_PER_MINUTE, 300, "RATE_LIMIT_TOKEN_PER_MINUTE"),
        burst: intFromEnv(env.RATE_LIMIT_TOKEN_BURST, 60, "RATE_LIMIT_TOKEN_BURST"),
      },
      trustProxy: boolFromEnv(env.TRUST_PROXY, false, "TRUST_PROXY"),
      expensiveConcurrency: intFromEnv(env.RATE_LIMIT_EXPENSIVE_CONCURRENCY, 2, "RATE_LIMIT_EXPENSIVE_CONCURRENCY"),
      redisFailure: oneOf(env.RATE_LIMIT_REDIS_FAILURE, ["open", "closed"] as const, "RATE_LIMIT_REDIS_FAILURE"),
      redisPrefix: env.RATE_LIMIT_REDIS_PREFIX || "content-api:rl",
    },
    reads: {
      queryTimeoutMs: intFromEnv(env.QUERY_TIMEOUT_MS, 2_000, "QUERY_TIMEOUT_MS"),
      poolSize: Math.max(1, intFromEnv(env.READ_POOL_SIZE, defaultPoolSize, "READ_POOL_SIZE")),
      searchPoolSize: Math.max(1, intFromEnv(env.READ_SEARCH_POOL_SIZE, Math.max(1, Math.floor(defaultPoolSize / 2)), "READ_SEARCH_POOL_SIZE")),
      maxQueue: intFromEnv(env.READ_QUEUE_MAX, 256, "READ_QUEUE_MAX"),
      readyTimeoutMs: intFromEnv(env.READY_TIMEOUT_MS, 500, "READY_TIMEOUT_MS"),
      sqliteInProcess: oneOf(env.SQLITE_READS, ["workers", "in-process"] as const, "SQLITE_READS") === "in-process",
    },
    operations: {
      maxConcurrent: intFromEnv(env.MAX_CONCURRENT_OPERATIONS, 16, "MAX_CONCURRENT_OPERATIONS"),
      maxQueued: intFromEnv(env.MAX_QUEUED_OPERATIONS, 256, "MAX_QUEUED_OPERATIONS"),
      queueTimeoutMs: intFromEnv(env.OPERATION_QUEUE_TIMEOUT_MS, 5_000, "OPERATION_QUEUE_TIMEOUT_MS"),
    },
    shedding: {
      queueDepth: intFromEnv(env.SHED_QUEUE_DEPTH, 64, "SHED_QUEUE_DEPTH"),
      eventLoopDelayMs: intFromEnv(env.SHED_EVENT_LOOP_DELAY_MS, 200, "SHED_EVENT_LOOP_DELAY_MS"),
    },
    logLevel: logLevelFromEnv(env.LOG_LEVEL),
    redisUrl: env.REDIS_URL ? env.REDIS_URL : null,
    webhooks: loadWebhookConfig(env, env.NODE_ENV === "production"),
    feeds: feedsConfigFromEnv(env),
    redisPrefix: env.REDIS_KEY_PREFIX ?? "content-api:",
    ops: loadOpsConfig(env),
  };
}

export { projectRoot };
