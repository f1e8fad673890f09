/**
 * The PostgreSQL pass of `npm test`: tests/api and tests/seed again with TEST_DATABASE=postgres,
 * each test server and seed run in a database it creates and drops on TEST_POSTGRES_URL's server.
 *
 * Where no PostgreSQL answers, a developer's run skips the pass and says so; under CI (CI=true,
 * or TEST_POSTGRES_REQUIRED=1) that is a failure, so the matrix cannot silently shrink to SQLite.
 */
import "reflect-metadata";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { loadConfig } from "../../src/config";
import { openDatabase } from "../../src/db/data-source";
import { ADMIN_URL, postgresAnswers, postgresDatabaseUrl } from "./database";

const dist = path.join(__dirname, "..");

function testFilesIn(folder: string): string[] {
  return fs
    .readdirSync(folder)
    .filter((name) => name.endsWith(".test.js"))
    .sort()
    .map((name) => path.join(folder, name));
}

function where(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 5432}`;
}

async function main(): Promise<number> {
  const required = /^(true|1)$/i.test(process.env.CI ?? "") || process.env.TEST_POSTGRES_REQUIRED === "1";
  if (!(await postgresAnswers(ADMIN_URL))) {
    if (required) {
      console.error(`PostgreSQL pass: no PostgreSQL answers at ${where(ADMIN_URL)} (TEST_POSTGRES_URL), and CI expects one: failing`);
      return 1;
    }
    console.log(`PostgreSQL pass skipped: no PostgreSQL answers at ${where(ADMIN_URL)} (set TEST_POSTGRES_URL)`);
    return 0;
  }
  console.log(`PostgreSQL pass: tests/api and tests/seed on ${where(ADMIN_URL)}`);
  // Migrated once here; each test database is a copy (CREATE DATABASE … TEMPLATE), which takes
  // a fraction of running the migrations again.
  const templateUrl = postgresDatabaseUrl("template");
  const template = new URL(templateUrl).pathname.slice(1);
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${template}"`);
    const migrated = await openDatabase(loadConfig({ DATABASE_URL: templateUrl }).database);
    await migrated.destroy();
    const extra = process.argv.slice(2);
    // Files, not folders: from Node 21 `--test` takes its arguments as file globs and no longer searches a folder.
    const targets = extra.length ? extra : ["api", "seed"].flatMap((folder) => testFilesIn(path.join(dist, folder)));
    const child = spawn(process.execPath, ["--test", "--test-concurrency=2", ...targets], {
      stdio: "inherit",
      // The fuzzer's 2,000 documents exercise the HTTP and GraphQL layers more than the engine; fewer do on this pass.
      env: { ...process.env, TEST_DATABASE: "postgres", TEST_POSTGRES_TEMPLATE: template, FUZZ_RUNS: process.env.FUZZ_RUNS ?? "500" },
    });
    return await new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
