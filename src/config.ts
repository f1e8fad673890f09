import path from "node:path";
import { loadOpsConfig, type OpsConfig } from "./ops/config";

export type DatabaseConfig =
  | { type: "sqlite"; path: string; driver: "sqlite3" | "better-sqlite3" }
  | { type: "postgres"; url: string };

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
    /** Buckets kept at most; idle ones go first, so memory stays bounded under a spray of addresses. */
    maxBuckets: number;
  };
  logLevel: LogLevel;
  /**
   * `REDIS_URL`: shared state for several instances (response cache, persisted queries, rate
   * limits, invalidations). Unset: everything stays in this process.
   */
  redisUrl: string | null;
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

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function logLevelFromEnv(value: string | undefined): LogLevel {
  if (value === undefined || value === "") return "info";
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
}

const projectRoot = path.resolve(__dirname, "..", "..");

/**
 * better-sqlite3 is the default when it is installed: through TypeORM it served the benchmark's
 * list pages 35–50% faster than sqlite3 (prepared-statement cache, no thread-pool round trip per
 * statement; see bench/results.md). It is an optional dependency, so a machine that cannot build
 * it falls back to sqlite3, which stays supported and tested (`SQLITE_DRIVER=sqlite3`).
 */
function chooseSqliteDriver(requested: string | undefined): "sqlite3" | "better-sqlite3" {
  if (requested === "sqlite3" || requested === "better-sqlite3") return requested;
  if (requested) throw new Error(`SQLITE_DRIVER must be sqlite3 or better-sqlite3, got "${requested}"`);
  try {
    require.resolve("better-sqlite3");
    return "better-sqlite3";
  } catch {
    return "sqlite3";
  }
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
    database: parseDatabaseUrl(env.DATABASE_URL, env.SQLITE_DRIVER),
    cache: {
      responseCache: (env.RESPONSE_CACHE ?? "memory") !== "off",
      maxBytes: intFromEnv(env.RESPONSE_CACHE_MAX_BYTES, 64 * 1024 * 1024, "RESPONSE_CACHE_MAX_BYTES"),
      maxAgeSeconds: intFromEnv(env.CACHE_MAX_AGE_SECONDS, 60, "CACHE_MAX_AGE_SECONDS"),
    },
    limits: {
      maxBodyBytes: intFromEnv(env.MAX_BODY_BYTES, 100_000, "MAX_BODY_BYTES"),
      maxTokens: intFromEnv(env.MAX_QUERY_TOKENS, 2_000, "MAX_QUERY_TOKENS"),
      maxDepth: intFromEnv(env.MAX_QUERY_DEPTH, 10, "MAX_QUERY_DEPTH"),
      maxComplexity: intFromEnv(env.MAX_QUERY_COMPLEXITY, 5_000, "MAX_QUERY_COMPLEXITY"),
      maxAliases: intFromEnv(env.MAX_QUERY_ALIASES, 30, "MAX_QUERY_ALIASES"),
      maxDirectives: intFromEnv(env.MAX_QUERY_DIRECTIVES, 20, "MAX_QUERY_DIRECTIVES"),
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
      maxBuckets: intFromEnv(env.RATE_LIMIT_MAX_BUCKETS, 50_000, "RATE_LIMIT_MAX_BUCKETS"),
    },
    logLevel: logLevelFromEnv(env.LOG_LEVEL),
    redisUrl: env.REDIS_URL ? env.REDIS_URL : null,
    ops: loadOpsConfig(env),
  };
}

export { projectRoot };
