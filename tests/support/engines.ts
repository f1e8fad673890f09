import { ADMIN_URL, createPostgresDatabase, dropDatabase, postgresAnswers, tempSqliteFile } from "./database";
import { startTestServer, type TestServer } from "./server";

/**
 * Runs a test file's scenarios on both engines: a fresh SQLite file, and a PostgreSQL database
 * created for the run and dropped after (skipped, with the reason, when no PostgreSQL answers).
 */
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
  return (await postgresReachable()) ? false : `no PostgreSQL at ${new URL(ADMIN_URL).host}`;
}

/**
 * The real server on the engine, whichever pass is running: SQLite in a file of its own, or a
 * PostgreSQL database created for it (and migrated by the server) that closing it drops.
 */
export async function startOn(engine: Engine, options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  if (engine === "sqlite") return startTestServer({ ...options, dbFile: tempSqliteFile("engine") });
  const url = await createPostgresDatabase("engine");
  let server: TestServer;
  try {
    server = await startTestServer({ ...options, databaseUrl: url });
  } catch (error) {
    await dropDatabase(url);
    throw error;
  }
  return {
    ...server,
    async close() {
      await server.close();
      await dropDatabase(url);
    },
  };
}
