import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { betterSqlite3 } from "../../src/db/better-sqlite3";

const nodeMajor = Number(process.versions.node.split(".")[0]);

function installed(packageName: string): boolean {
  try {
    require.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

describe("the better-sqlite3 the server loads", () => {
  it("is 13 (better-sqlite3-napi) on Node 22 and later when installed, and 12 on Node 20", () => {
    const expected = nodeMajor >= 22 && installed("better-sqlite3-napi") ? "better-sqlite3-napi" : "better-sqlite3";
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal(betterSqlite3(), require(expected));
    const db = new (betterSqlite3())(":memory:");
    try {
      assert.deepEqual(db.prepare("SELECT 1 + 1 AS two").get(), { two: 2 });
    } finally {
      db.close();
    }
  });

  it("is never 13 on Node 20, where it crashes", { skip: nodeMajor >= 22 && "runs on Node 20 only" }, () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (installed("better-sqlite3-napi")) assert.notEqual(betterSqlite3(), require("better-sqlite3-napi"));
  });
});
