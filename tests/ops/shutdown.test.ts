import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import { after, describe, test } from "node:test";
import { serverPidFile } from "../../src/ops/server-lock";
import { parseMetrics, metric } from "../support/metrics";
import { tempDbFile } from "../support/seed-cli";
import { request, spawnServer, type SpawnedServer } from "../support/spawn";

/**
 * A request held open by its client: sent with `Expect: 100-continue`, so the server has
 * parsed it and its handler is running (it answered "100 Continue") while the body has not
 * been sent. It stays in flight for as long as the test wants, with no test hook in the server.
 */
function heldRequest(base: string, query: string, agent?: http.Agent) {
  const body = JSON.stringify({ query });
  let onContinue!: () => void;
  const continued = new Promise<void>((resolve) => (onContinue = resolve));
  const req = http.request(`${base}/graphql`, {
    method: "POST",
    agent: agent ?? false,
    headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), expect: "100-continue" },
  });
  req.on("continue", onContinue);
  const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on("error", reject);
  });
  response.catch(() => {});
  req.flushHeaders();
  return { continued, response, finish: () => req.end(body) };
}

async function refused(base: string): Promise<boolean> {
  try {
    await request(base, "/healthz");
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ECONNREFUSED";
  }
}

describe("graceful shutdown of node dist/src/main.js", () => {
  const servers: SpawnedServer[] = [];
  after(() => servers.forEach((s) => s.kill()));
  const start = async (env: Record<string, string>) => {
    const dbFile = tempDbFile("shutdown");
    const server = await spawnServer({ DATABASE_URL: `sqlite:${dbFile}`, ...env });
    servers.push(server);
    return { server, dbFile };
  };

  test("SIGTERM: the request in flight finishes with 200, new connections are refused, idle keep-alive connections close, exit 0", async () => {
    const { server, dbFile } = await start({});
    assert.ok(fs.existsSync(serverPidFile(dbFile)));
    // An idle keep-alive connection, left open by a finished request.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const idleSocketClosed = new Promise<void>((resolve) => {
      const req = http.get(`${server.base}/healthz`, { agent }, (res) => {
        res.resume();
        res.on("end", () => req.socket?.once("close", () => resolve()));
      });
    });
    const held = heldRequest(server.base, "query InFlight { articles(first: 3) { totalCount nodes { slug } } }");
    await held.continued;

    server.child.kill("SIGTERM");
    await server.waitFor(/listener closed; waiting for 1 requests in flight/);
    assert.equal(await refused(server.base), true, "a new connection is refused");
    await idleSocketClosed;
    assert.equal(server.child.exitCode, null, "still running while the request is in flight");

    held.finish();
    const response = await held.response;
    assert.equal(response.status, 200, response.text);
    assert.ok(JSON.parse(response.text).data.articles.totalCount > 0);
    assert.equal(response.headers.connection, "close");
    assert.equal(await server.exited, 0);
    assert.match(server.output(), /stopped cleanly/);
    assert.equal(fs.existsSync(serverPidFile(dbFile)), false);
    agent.destroy();
  });

  test("readiness turns 503 at once; with SHUTDOWN_DELAY_SECONDS the listener stays open meanwhile; a second signal exits at once", async () => {
    const { server } = await start({ SHUTDOWN_DELAY_SECONDS: "120" });
    assert.equal((await request(server.base, "/readyz")).status, 200);
    const held = heldRequest(server.base, "{ articles { totalCount } }");
    await held.continued;
    server.child.kill("SIGTERM");
    await server.waitFor(/readiness is 503; closing the listener in 120 s/);
    const ready = await request(server.base, "/readyz");
    assert.equal(ready.status, 503);
    assert.deepEqual(JSON.parse(ready.text), { status: "shutting down" });
    // Requests are still served during the delay, each on a connection closed after it.
    const served = await request(server.base, "/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ articles { totalCount } }" }) });
    assert.equal(served.status, 200);
    assert.equal(served.headers.connection, "close");

    server.child.kill("SIGTERM");
    assert.equal(await server.exited, 1);
    assert.match(server.output(), /SIGTERM again: exiting now/);
    await assert.rejects(held.response, "the held request was cut off, not waited for");
  });

  test("a request still running at SHUTDOWN_TIMEOUT_SECONDS is cut off and the exit status says so", async () => {
    const { server } = await start({ SHUTDOWN_TIMEOUT_SECONDS: "1" });
    const held = heldRequest(server.base, "{ articles { totalCount } }");
    await held.continued;
    server.child.kill("SIGINT");
    assert.equal(await server.exited, 1);
    assert.match(server.output(), /1 requests still running after 1 s: closing their connections/);
    await assert.rejects(held.response);
  });

  test("production: /metrics is not on the public port, but METRICS_PORT serves it on 127.0.0.1", async () => {
    const { server } = await start({ NODE_ENV: "production", METRICS_PORT: "0" });
    const [, port] = await server.waitFor(/metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics/);
    assert.equal((await request(server.base, "/metrics")).status, 404);
    const local = await request(`http://127.0.0.1:${port}`, "/metrics");
    assert.equal(local.status, 200);
    assert.ok(metric(parseMetrics(local.text), "process_resident_memory_bytes") > 0);
    server.child.kill("SIGTERM");
    assert.equal(await server.exited, 0);
    assert.equal(await refused(`http://127.0.0.1:${port}`), true);
  });
});
