import { isMainThread } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";

/**
 * better-sqlite3 for the running Node. Two majors are installed because neither serves every Node
 * the project supports:
 * - 12 (`better-sqlite3`) wraps its objects in `node::ObjectWrap`. From Node 24.19, that wrapper's
 *   destructor removes an environment cleanup hook and asserts an environment is current, so a
 *   Statement collected during a worker thread's teardown or an idle GC aborts the whole process
 *   (`Assertion failed: (env) != nullptr`).
 * - 13 (`better-sqlite3-napi`) is built on Node-API and ships prebuilt binaries, but segfaults on
 *   Node 20, and npm leaves it out there (its engines say >= 22).
 * Node 22 and later take 13 and fall back to 12 on a platform 13 has no binary for.
 */
type Driver = typeof BetterSqlite3;

const nodeMajor = Number(process.versions.node.split(".")[0]);
const candidates = nodeMajor >= 22 ? ["better-sqlite3-napi", "better-sqlite3"] : ["better-sqlite3"];

let loaded: Driver | null | undefined;

function load(): Driver | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  let loadedFrom: string | undefined;
  for (const packageName of candidates) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const driver = require(packageName) as Driver;
      // Loading the module does not load its binary; opening a database does.
      new driver(":memory:").close();
      loaded = driver;
      loadedFrom = packageName;
      break;
    } catch {
      // Not installed, or no binary for this Node: try the next one.
    }
  }
  // Typically node_modules installed under Node 20, then run on a later Node. Said once, not by every reader thread.
  if (candidates.length > 1 && loadedFrom !== candidates[0] && isMainThread) {
    const fallback = loadedFrom ? "better-sqlite3 12, which can abort the process on Node 24" : "the sqlite3 driver";
    process.emitWarning(`better-sqlite3 13 (${candidates[0]}) does not load on Node ${process.versions.node}, so SQLite uses ${fallback}: run npm install with this Node.`);
  }
  return loaded;
}

/** Whether some better-sqlite3 loads on this Node; without one the server uses the sqlite3 driver. */
export function betterSqlite3Available(): boolean {
  return load() !== null;
}

/** The better-sqlite3 constructor for this Node (see above). */
export function betterSqlite3(): Driver {
  const found = load();
  if (!found) throw new Error(`better-sqlite3 does not load on Node ${process.versions.node} (tried ${candidates.join(", ")}); set SQLITE_DRIVER=sqlite3`);
  return found;
}
