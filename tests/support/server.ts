import "reflect-metadata";
import type { DataSource } from "typeorm";
import { AdjustableClock } from "../../src/clock";
import { loadConfig, type AppConfig } from "../../src/config";
import { openDatabase } from "../../src/db/data-source";
import { createApp, type AppOptions } from "../../src/http/server";
import { dropDatabase, ensureDatabase, tempDatabaseHandle } from "./database";

export interface GraphQLResponse<T = any> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[] } & Record<string, any>;
  statements: number;
}

export interface TestServer {
  url: string;
  dataSource: DataSource;
  clock: AdjustableClock;
  /** The database handle (see tests/support/database.ts): a SQLite file, or a PostgreSQL URL on that pass. */
  dbFile: string;
  gql: <T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** A fresh database handle: a SQLite file, or on the PostgreSQL pass a database created on first use. */
export function tempDatabaseFile(label = "test"): string {
  return tempDatabaseHandle(label);
}

/**
 * The real server on a real database (a fresh SQLite file, or a fresh PostgreSQL database when
 * TEST_DATABASE=postgres) on an ephemeral port; tests talk to it over HTTP.
 * The clock is adjustable so scheduled publishing can be tested without waiting.
 */
export async function startTestServer(
  options: {
    env?: Record<string, string>;
    dbFile?: string;
    /** A database URL other than a fresh SQLite file, e.g. a PostgreSQL database the test created. */
    databaseUrl?: string;
    configure?: (config: AppConfig) => void;
    app?: Partial<AppOptions>;
  } = {},
): Promise<TestServer> {
  const ownDatabase = !options.dbFile && !options.databaseUrl;
  const dbFile = options.dbFile ?? options.databaseUrl ?? tempDatabaseFile();
  const databaseUrl = await ensureDatabase(dbFile);
  // Tests fire requests far faster than any client, and their logs would drown the runner's
  // output: both are off unless a test turns them on through `env`. So is shedding on event-loop
  // delay, which a test runner sharing a busy machine would trip at random.
  const quiet = { LOG_LEVEL: "silent", RATE_LIMIT_ADDRESS_PER_MINUTE: "0", RATE_LIMIT_TOKEN_PER_MINUTE: "0", SHED_EVENT_LOOP_DELAY_MS: "0", SHED_QUEUE_DEPTH: "0" };
  // `npm test` runs the suite on the default driver, then key files again with SQLITE_DRIVER=sqlite3.
  const driver = process.env.SQLITE_DRIVER ? { SQLITE_DRIVER: process.env.SQLITE_DRIVER } : {};
  const config = loadConfig({ ...quiet, ...driver, ...options.env, DATABASE_URL: databaseUrl });
  options.configure?.(config);
  const dataSource = await openDatabase(config.database);
  const clock = new AdjustableClock();
  const app = await createApp({ config, dataSource, clock, ...options.app });
  const port = await app.listen(0, "127.0.0.1");
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    url,
    dataSource,
    clock,
    dbFile,
    async gql(query, variables, headers = {}) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        body = { raw: text };
      }
      return { status: response.status, headers: response.headers, body, statements: Number(response.headers.get("x-sql-statements") ?? NaN) };
    },
    async close() {
      await app.close();
      await dataSource.destroy();
      if (ownDatabase) await dropDatabase(dbFile);
    },
  };
}
