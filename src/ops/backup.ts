import { parseArgs } from "node:util";
import { loadConfig, type DatabaseConfig } from "../config";
import fs from "node:fs";
import path from "node:path";
import { FTS_TABLE } from "../search/fts.sqlite";
import { liveServerPid } from "./server-lock";
import { openElsewhere, openSqliteFile, type SqliteFile } from "./sqlite-file";

type SqliteDatabase = Extract<DatabaseConfig, { type: "sqlite" }>;

/** A refusal the operator can act on: printed as is, exit status 1. */
export class OpsRefusal extends Error {}

export interface DatabaseSummary {
  articles: number;
  published: number;
  authors: number;
  tags: number;
  bytes: number;
}

export interface BackupReport extends DatabaseSummary {
  file: string;
  /** When the copy's read transaction began: the copy holds exactly what was committed then. */
  snapshotAt: string;
  seconds: number;
}

export interface RestoreReport extends DatabaseSummary {
  file: string;
  target: string;
  integrity: "ok";
  searchIndex: "ok" | "absent";
  /** Where the database that was replaced now is (null when there was none). */
  previous: string | null;
}

async function summarize(db: SqliteFile, file: string): Promise<DatabaseSummary> {
  const [row] = await db.all<{ articles: number; published: number; authors: number; tags: number }>(
    `SELECT (SELECT COUNT(*) FROM articles) AS articles,
            (SELECT COUNT(*) FROM articles WHERE status = 'published' AND deleted_at IS NULL) AS published,
            (SELECT COUNT(*) FROM authors) AS authors,
            (SELECT COUNT(*) FROM tags) AS tags`,
  );
  return { articles: Number(row.articles), published: Number(row.published), authors: Number(row.authors), tags: Number(row.tags), bytes: fs.statSync(file).size };
}

/**
 * Copies a live database with `VACUUM INTO`: one read transaction, so the copy is the database
 * as of one instant however many writes commit meanwhile (WAL lets them go on; the online
 * backup API instead restarts whenever another process writes, and may never finish under a
 * steady stream of writes). The copy is written beside the destination and renamed into place,
 * so a failed or interrupted backup never leaves a half file under the requested name.
 */
export async function backupSqlite(database: SqliteDatabase, destination: string): Promise<BackupReport> {
  const file = path.resolve(destination);
  if (database.path === ":memory:") throw new OpsRefusal("an in-memory database has nothing to back up");
  if (!fs.existsSync(database.path)) throw new OpsRefusal(`no database at ${database.path}`);
  if (fs.existsSync(file)) throw new OpsRefusal(`${file} already exists; choose a new name or remove it first`);
  if (path.resolve(database.path) === file) throw new OpsRefusal("the backup cannot be the database itself");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  const started = performance.now();
  const snapshotAt = new Date().toISOString();
  const source = await openSqliteFile(database.path, { driver: database.driver, readonly: true });
  try {
    await source.run("VACUUM INTO ?", [partial]);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    await source.close();
  }
  const copy = await openSqliteFile(partial, { driver: database.driver, readonly: true });
  let summary: DatabaseSummary;
  try {
    summary = await summarize(copy, partial);
  } finally {
    await copy.close();
  }
  fs.renameSync(partial, file);
  return { file, snapshotAt, seconds: Math.round((performance.now() - started) / 100) / 10, ...summary };
}

async function checkIntegrity(db: SqliteFile): Promise<"ok"> {
  let rows: { integrity_check: string }[];
  try {
    rows = await db.all<{ integrity_check: string }>("PRAGMA integrity_check(20)");
  } catch (error) {
    throw new OpsRefusal(`the backup fails PRAGMA integrity_check: ${(error as Error).message}`);
  }
  const problems = rows.map((r) => r.integrity_check).filter((m) => m !== "ok");
  if (problems.length) throw new OpsRefusal(`the backup fails PRAGMA integrity_check:\n  ${problems.join("\n  ")}`);
  return "ok";
}

async function checkSearchIndex(db: SqliteFile): Promise<"ok" | "absent"> {
  const found = await db.all(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, [FTS_TABLE]);
  if (!found.length) return "absent";
  try {
    // FTS5's own check of its index structures (a command, spelled as an INSERT).
    await db.run(`INSERT INTO "${FTS_TABLE}"("${FTS_TABLE}") VALUES ('integrity-check')`);
  } catch (error) {
    throw new OpsRefusal(`the backup's full-text index fails its integrity check (${(error as Error).message}); restore it, then run npm run search:reindex`);
  }
  return "ok";
}

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

function isSqliteFile(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    return fs.readSync(fd, header, 0, header.length, 0) === header.length && header.equals(SQLITE_HEADER);
  } finally {
    fs.closeSync(fd);
  }
}

/** Moves a database file and whatever side files it has, so the moved copy stays whole. */
function moveDatabase(from: string, to: string) {
  fs.renameSync(from, to);
  for (const suffix of ["-wal", "-shm", "-journal"]) {
    if (fs.existsSync(from + suffix)) fs.renameSync(from + suffix, to + suffix);
  }
}

/**
 * Replaces the configured database with a backup, after checking the backup (on a copy, so a
 * check that writes, like FTS5's, never touches the operator's file) and that no process has
 * the database open: a server that kept its connections to a file renamed underneath it would
 * go on serving, and writing to, the old one. The replaced database is kept beside it.
 */
export async function restoreSqlite(database: SqliteDatabase, backupFile: string, now = new Date()): Promise<RestoreReport> {
  const file = path.resolve(backupFile);
  const target = database.path;
  if (target === ":memory:") throw new OpsRefusal("cannot restore into an in-memory database");
  if (!fs.existsSync(file)) throw new OpsRefusal(`no backup at ${file}`);
  if (!isSqliteFile(file)) throw new OpsRefusal(`${file} is not a SQLite database`);
  if (path.resolve(target) === file) throw new OpsRefusal("the backup is the database itself");

  const refuseIfHeld = async () => {
    const pid = liveServerPid(target);
    if (pid !== null) throw new OpsRefusal(`a server (pid ${pid}) is running on ${target}; stop it first (SIGTERM shuts it down gracefully)`);
    if (fs.existsSync(target) && (await openElsewhere(target, database.driver))) {
      throw new OpsRefusal(`${target} is open in another process (a server, a seed or a token command); stop it first`);
    }
  };
  await refuseIfHeld();

  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staged = `${target}.restoring-${process.pid}`;
  fs.copyFileSync(file, staged);
  let report: Omit<RestoreReport, "previous">;
  try {
    const copy = await openSqliteFile(staged, { driver: database.driver });
    try {
      const integrity = await checkIntegrity(copy);
      const searchIndex = await checkSearchIndex(copy);
      // One self-contained file: the server turns WAL back on when it opens it.
      await copy.run("PRAGMA journal_mode = DELETE");
      report = { file, target, integrity, searchIndex, ...(await summarize(copy, staged)) };
    } finally {
      await copy.close();
    }
    // Checked again right before the swap: the checks above can take a while on a large file.
    await refuseIfHeld();
  } catch (error) {
    fs.rmSync(staged, { force: true });
    throw error;
  }
  let previous: string | null = null;
  if (fs.existsSync(target)) {
    previous = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, "-")}`;
    moveDatabase(target, previous);
  }
  fs.renameSync(staged, target);
  return { ...report, previous };
}

/** What to run instead on PostgreSQL, where a consistent online copy is pg_dump's job. */
/**
 * What `npm run backup` and `npm run restore` share before their work: one FILE argument (or
 * --help), a SQLite DATABASE_URL. Returns the exit status to stop with, or what to work on.
 */
export function fileCommand(
  argv: string[],
  usage: string,
  command: "backup" | "restore",
): { exit: number } | { file: string; json: boolean; database: Extract<DatabaseConfig, { type: "sqlite" }> } {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  if (values.help || positionals.length !== 1) {
    console.error(usage);
    return { exit: values.help ? 0 : 2 };
  }
  const { database } = loadConfig();
  if (database.type !== "sqlite") {
    console.error(postgresAdvice(command, positionals[0]));
    return { exit: 2 };
  }
  return { file: positionals[0], json: values.json ?? false, database };
}

export function postgresAdvice(command: "backup" | "restore", file: string): string {
  const target = file || "FILE";
  return command === "backup"
    ? `DATABASE_URL is PostgreSQL: npm run backup only copies SQLite files. Take a consistent online backup with
  pg_dump --format=custom --file=${target} "$DATABASE_URL"
(pg_dump reads one snapshot while the server keeps running and writing).`
    : `DATABASE_URL is PostgreSQL: npm run restore only replaces SQLite files. Stop the servers, then restore with
  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" ${target}
and start the servers again (they run any newer migrations on start).`;
}
