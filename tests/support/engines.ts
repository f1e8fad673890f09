import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { ADMIN_URL, postgresAnswers } from "./database";
import { startTestServer, type TestServer } from "./server";

/**
 * Runs a test file's scenarios on both engines: a fresh SQLite file, and a PostgreSQL database
 * created for the run and dropped after (skipped, with the reason, when no PostgreSQL answers).
 */
export const POSTGRES_ADMIN_URL = ADMIN_URL;

export type Engine = "sqlite" | "postgres";
export const ENGINES: readonly Engine[] = ["sqlite", "postgres"];

let reachable: Promise<boolean> | undefined;

export function postgresReachable(): Promise<boolean> {
  reachable ??= postgresAnswers();
  return reachable;
}

/** For `describe(name, { skip }, ...)`: false, or why the engine cannot run here. */
export async function engineSkip(engine: Engine): Promise<string | false> {
  if (engine === "sqlite") return false;
  return (await postgresReachable()) ? false : `no PostgreSQL at ${new URL(POSTGRES_ADMIN_URL).host}`;
}

/** The real server on the engine; closing it also drops the PostgreSQL database. */
export async function startOn(engine: Engine, options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  if (engine === "sqlite") return startTestServer(options);
  const database = `content_test_${randomBytes(6).toString("hex")}`;
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  let server: TestServer;
  try {
    server = await startTestServer({ ...options, databaseUrl: url.toString() });
  } catch (error) {
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
    throw error;
  }
  return {
    ...server,
    async close() {
      await server.close();
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.end();
    },
  };
}
