import fs from "node:fs";
import type { DatabaseConfig } from "../config";

/**
 * A file beside the SQLite database naming the server process that has it open, so
 * `npm run restore` can say which process to stop. It is advice, not a lock: restore also
 * asks SQLite itself for an exclusive lock (src/ops/sqlite-file.ts), which fails while any
 * process has the database open, pid file or not.
 */
export const serverPidFile = (dbPath: string) => `${dbPath}-server.pid`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Writes the pid file for this process; the returned function removes it if it is still ours. */
export function writeServerPidFile(database: DatabaseConfig): () => void {
  if (database.type !== "sqlite" || database.path === ":memory:") return () => {};
  const file = serverPidFile(database.path);
  fs.writeFileSync(file, `${JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() })}\n`);
  return () => {
    try {
      if ((JSON.parse(fs.readFileSync(file, "utf8")) as { pid?: unknown }).pid === process.pid) fs.rmSync(file);
    } catch {
      // Already gone, or replaced by another server: leave it.
    }
  };
}

/** The pid of a live server recorded beside `dbPath`, or null (no file, unreadable, or the process is gone). */
export function liveServerPid(dbPath: string): number | null {
  try {
    const { pid } = JSON.parse(fs.readFileSync(serverPidFile(dbPath), "utf8")) as { pid?: unknown };
    return typeof pid === "number" && Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}
