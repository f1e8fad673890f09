import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after } from "node:test";
import { Client } from "pg";
import type { DataSource, EntityManager } from "typeorm";
import { placeholderOf } from "../../src/db/dialect";

/**
 * Which engine this test run uses. `npm test` runs tests/api and tests/seed once per engine:
 * SQLite files by default, and with TEST_DATABASE=postgres a database per test server (or per
 * seed run) created on TEST_POSTGRES_URL's server and dropped when the test file ends.
 */
export type TestEngine = "sqlite" | "postgres";

export const TEST_ENGINE: TestEngine = process.env.TEST_DATABASE === "postgres" ? "postgres" : "sqlite";
export const onPostgres = TEST_ENGINE === "postgres";
export const onSqlite = TEST_ENGINE === "sqlite";

/** The maintenance database the PostgreSQL pass creates its databases from. */
export const ADMIN_URL = process.env.TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * `{ skip }` for a test that is about one engine only; its name says which, e.g. "(SQLite)".
 * On the other engine's pass it is reported as skipped, with the reason.
 */
export const onlyOn = (engine: TestEngine) => ({ skip: TEST_ENGINE !== engine && `${engine === "sqlite" ? "SQLite" : "PostgreSQL"} only` });

/** True when a PostgreSQL server answers on `url` within two seconds. */
export async function postgresAnswers(url = ADMIN_URL): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Databases this process made (or will make on first use), dropped when the test file ends. */
const pending = new Set<string>();
const creating = new Map<string, Promise<void>>();
/** Handles that must start truly empty (tests of migrating itself), not as a copy of the template. */
const unmigrated = new Set<string>();
/**
 * A database the PostgreSQL pass migrated once (postgres-pass.ts); copying it is much cheaper
 * than migrating every test database again.
 */
const TEMPLATE = process.env.TEST_POSTGRES_TEMPLATE;
const created = new Set<string>();

// Registered when the module loads (a test file's imports), so it is a hook of the file's root
// test and runs once every test in the file has finished. Registered from inside a running test
// it would belong to that test and drop databases later tests still use.
if (onPostgres) {
  after(async () => {
    for (const url of [...creating.keys()]) await dropDatabase(url);
  });
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** A URL on the admin server for a database named after `label` (not created yet). */
export function postgresDatabaseUrl(label: string): string {
  const name = `content_test_${label.toLowerCase().replace(/[^a-z0-9]+/g, "_").slice(0, 20)}_${randomBytes(5).toString("hex")}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A database handle for a test: on SQLite the path of a file in a fresh temporary folder; on the
 * PostgreSQL pass the URL of a database that is created on first use (`ensureDatabase`) and
 * dropped when the file's tests end. Synchronous, so a describe block can name its database.
 * On PostgreSQL it starts as a copy of the pass's migrated template unless `empty` is asked for.
 */
export function tempDatabaseHandle(label = "test", options: { empty?: boolean } = {}): string {
  if (onPostgres) {
    const url = postgresDatabaseUrl(label);
    pending.add(url);
    if (options.empty) unmigrated.add(url);
    return url;
  }
  return tempSqliteFile(label);
}

/**
 * A SQLite file in a fresh temporary folder on either pass, for tests that are about SQLite itself
 * (their `DATABASE_URL` is `sqlite:<file>`; a PostgreSQL handle there would become a file named
 * after the URL in the working directory).
 */
export function tempSqliteFile(label = "test"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `content-api-${label}-`));
  return path.join(dir, "content.sqlite");
}

/** `DATABASE_URL` for a handle from tempDatabaseHandle (or any sqlite path / postgres URL). */
export function databaseUrlOf(handle: string): string {
  if (/^postgres(ql)?:\/\//.test(handle) || handle.startsWith("sqlite:")) return handle;
  return `sqlite:${handle}`;
}

/**
 * Creates the PostgreSQL database behind a handle from tempDatabaseHandle if that has not
 * happened yet; any other URL (SQLite, a database the test made itself) is returned as is.
 */
export async function ensureDatabase(handle: string): Promise<string> {
  const url = databaseUrlOf(handle);
  if (!pending.has(url) && !creating.has(url)) return url;
  let job = creating.get(url);
  if (!job) {
    pending.delete(url);
    const template = TEMPLATE && !unmigrated.has(url) ? ` TEMPLATE "${TEMPLATE}"` : "";
    job = admin((client) => client.query(`CREATE DATABASE "${databaseName(url)}"${template}`)).then(() => {
      created.add(url);
    });
    creating.set(url, job);
  }
  await job;
  return url;
}

/**
 * A new, empty PostgreSQL database (the test migrates it) for a test about PostgreSQL itself,
 * which runs on either pass while a server answers (`postgresAnswers`). The test drops it with
 * dropDatabase once its servers have stopped.
 */
export async function createPostgresDatabase(label: string): Promise<string> {
  const url = postgresDatabaseUrl(label);
  pending.add(url);
  unmigrated.add(url);
  return ensureDatabase(url);
}

/** Drops a database this process created; open connections to it are ended first. */
export async function dropDatabase(handle: string): Promise<void> {
  const url = databaseUrlOf(handle);
  await creating.get(url)?.catch(() => undefined);
  creating.delete(url);
  if (!created.delete(url)) return;
  await admin((client) => client.query(`DROP DATABASE IF EXISTS "${databaseName(url)}" WITH (FORCE)`));
}

/**
 * Raw SQL for checks below the API, written with `?` placeholders and run on either engine
 * (PostgreSQL wants `$1`, `$2`, ...). For the simple statements tests write: no `?` in literals.
 */
export function sqlQuery<Row = any>(runner: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<Row[]> {
  const placeholder = placeholderOf(runner);
  let n = 0;
  return runner.query(sql.replace(/\?/g, () => placeholder(++n)), params);
}
