import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { projectRoot } from "../../src/config";
import { tempSqliteFile } from "../support/database";

const run = promisify(execFile);
const main = path.join(projectRoot, "dist", "src", "main.js");

describe("start-up failures an operator can act on", () => {
  it("a port in use is one line naming the port, exit 1", async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "0.0.0.0", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const env = { ...process.env, PORT: String(port), DATABASE_URL: `sqlite:${tempSqliteFile("port")}`, LOG_LEVEL: "silent" };
      await assert.rejects(run(process.execPath, [main], { env, timeout: 60_000 }), (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 1);
        assert.equal(error.stderr.trim(), `port ${port} is in use; set PORT to a free port`);
        return true;
      });
    } finally {
      blocker.close();
    }
  });

  it("a bad setting is its own message, without a stack", async () => {
    const env = { ...process.env, PORT: "not-a-port" };
    await assert.rejects(run(process.execPath, [main], { env, timeout: 60_000 }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /PORT must be a whole number/);
      assert.doesNotMatch(error.stderr, /\n\s+at /);
      return true;
    });
  });
});
