import path from "node:path";

export type DatabaseConfig =
  | { type: "sqlite"; path: string; driver: "sqlite3" | "better-sqlite3" }
  | { type: "postgres"; url: string };

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
  limits: {
    /** Largest request body accepted; larger ones get 413 before they are buffered. */
    maxBodyBytes: number;
  };
  search: {
    /**
     * Markup around matched words in search snippets (`SEARCH_HIGHLIGHT_OPEN`/`_CLOSE`, default
     * `<mark>`/`</mark>`). Inserted verbatim into otherwise escaped HTML: operator-trusted.
     */
    highlightOpen: string;
    highlightClose: string;
  };
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

const projectRoot = path.resolve(__dirname, "..", "..");

function parseDatabaseUrl(url: string | undefined, driver: string | undefined): DatabaseConfig {
  const sqliteDriver = driver === "better-sqlite3" ? "better-sqlite3" : "sqlite3";
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
    },
    search: {
      highlightOpen: markerFromEnv(env.SEARCH_HIGHLIGHT_OPEN, "<mark>", "SEARCH_HIGHLIGHT_OPEN"),
      highlightClose: markerFromEnv(env.SEARCH_HIGHLIGHT_CLOSE, "</mark>", "SEARCH_HIGHLIGHT_CLOSE"),
    },
  };
}

export { projectRoot };
