import { TEST_ENGINE } from "../support/database";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import net from "node:net";
import { Client } from "pg";
import { loadConfig } from "../../src/config";
import { createDataSource } from "../../src/db/data-source";
import { openReadDatabase } from "../../src/db/read-database";
import { firstError, send } from "../support/hardening";
import { startTestServer, type TestServer } from "../support/server";
import { slowReads, slowSql } from "../support/slow-reads";

const SEARCH = `{ search(query: "harga beras", first: 5) { totalCount nodes { article { title } } } }`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a cheap query until it is answered; the server must come back, whatever it was doing. */
async function answersAgain(server: TestServer): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    const response = await server.gql("{ articles(first: 1) { totalCount } }");
    if (response.status === 200 && response.body.data?.articles) return;
    last = response.body;
    await sleep(100);
  }
  assert.fail(`the server did not answer again: ${JSON.stringify(last)}`);
}

describe("a read past its deadline", () => {
  let server: TestServer;
  before(async () => {
    // Only search statements are slow, so the rest of the API shows whether the server recovered.
    const reads = slowReads((sql) => sql.includes("article_search"));
    server = await startTestServer({ env: { QUERY_TIMEOUT_MS: "150" }, app: { readDatabase: reads.open } });
  });
  after(() => server.close());

  it("is abandoned: the request gets QUERY_TIMEOUT with 503 and Retry-After, and the server answers afterwards", async () => {
    const response = await server.gql(SEARCH);
    assert.equal(response.status, 503);
    const error = firstError(response);
    assert.equal(error.extensions?.code, "QUERY_TIMEOUT");
    assert.ok(error.extensions?.requestId);
    assert.doesNotMatch(JSON.stringify(response.body), /WITH RECURSIVE|SQLITE|at .*\.js/);
    assert.equal(response.headers.get("retry-after"), "1");
    await answersAgain(server);
    // Page reads were never behind the abandoned search; searches come back once its thread is gone.
    const again = await server.gql(SEARCH);
    assert.equal(again.status, 503);
    assert.match(String(firstError(again).extensions?.code), /^(QUERY_TIMEOUT|SERVER_BUSY)$/);
  });
});

// The worker pool and its deadlines are SQLite's; the PostgreSQL reader's statement_timeout is covered by the QUERY_TIMEOUT test above.
describe("the read database on its own (SQLite)", { skip: TEST_ENGINE === "postgres" ? "SQLite worker pool" : false }, () => {
  it("abandons a statement past its deadline and keeps answering on a fresh worker", async () => {
    const server = await startTestServer();
    const config = loadConfig({ DATABASE_URL: `sqlite:${server.dbFile}`, QUERY_TIMEOUT_MS: "100", READ_POOL_SIZE: "1", ...(process.env.SQLITE_DRIVER ? { SQLITE_DRIVER: process.env.SQLITE_DRIVER } : {}) });
    const db = await openReadDatabase(config, server.dataSource);
    try {
      await assert.rejects(db.query(slowSql()), (error: any) => error.extensions?.code === "QUERY_TIMEOUT");
      // The named parameters loaders use, expanded as TypeORM would.
      let rows: { n: number }[] = [];
      for (let i = 0; i < 100 && rows.length === 0; i++) {
        rows = await db.query<{ n: number }>("SELECT count(*) AS n FROM articles WHERE id IN (:...ids) AND slug <> :slug", { ids: [1, 2, 3], slug: "x" }).catch(() => sleep(100).then(() => []));
      }
      assert.deepEqual(rows, [{ n: 0 }]);
      await db.probe(500);
    } finally {
      await db.close();
      await server.close();
    }
  });
});

describe("a saturated read pool (SQLite)", { skip: TEST_ENGINE === "postgres" ? "SQLite worker pool" : false }, () => {
  let server: TestServer;
  const reads = slowReads((sql) => !sql.includes("sqlite_master"), 2_000_000);
  before(async () => {
    server = await startTestServer({
      env: { READ_POOL_SIZE: "1", READ_SEARCH_POOL_SIZE: "1", QUERY_TIMEOUT_MS: "60000", SHED_QUEUE_DEPTH: "3" },
      app: { readDatabase: reads.open },
    });
  });
  after(() => server.close());

  it("leaves /healthz and /readyz answering, sheds new GraphQL requests with 503 and Retry-After, and recovers", async () => {
    // One at a time, each let in before the next: one statement running, three waiting.
    const settled: boolean[] = [];
    const pending: Promise<Awaited<ReturnType<TestServer["gql"]>>>[] = [];
    for (let i = 0; i < 4; i++) {
      settled[i] = false;
      // By last update: a list the pool reads (newest-first pages are bounded and read on the loop).
      pending.push(server.gql(`{ articles(first: ${i + 1}, orderBy: UPDATED_AT_DESC) { nodes { title } } }`).finally(() => (settled[i] = true)));
      for (let wait = 0; wait < 400 && reads.running <= i; wait++) await sleep(10);
    }
    assert.equal(reads.reader.queued, 3);

    const base = server.url.replace("/graphql", "");
    const health = await send(`${base}/healthz`);
    const ready = await send(`${base}/readyz`);
    assert.equal(health.status, 200);
    assert.equal(ready.status, 200, ready.text);
    assert.ok(settled.every((done) => !done), "health answered only after the reads it should not wait for");

    const shed = await server.gql("{ __typename }");
    assert.equal(shed.status, 503);
    assert.equal(firstError(shed).extensions?.code, "SERVER_BUSY");
    assert.equal(shed.headers.get("retry-after"), "1");

    const answers = await Promise.all(pending);
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200]);
    assert.equal((await server.gql("{ __typename }")).status, 200);
  });
});

describe("shedding on event-loop delay", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { SHED_EVENT_LOOP_DELAY_MS: "100" } });
  });
  after(() => server.close());

  it("refuses new GraphQL requests while the loop lags, keeps health checks, and lets requests in again", async () => {
    // The server shares this process: a loop blocked on every turn for two seconds is what an
    // overloaded server looks like from inside.
    for (let i = 0; i < 8; i++) {
      const until = Date.now() + 250;
      while (Date.now() < until);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const shed = await server.gql("{ __typename }");
    assert.equal(shed.status, 503);
    assert.equal(firstError(shed).extensions?.code, "SERVER_BUSY");
    assert.ok(shed.headers.get("retry-after"));
    assert.equal((await send(server.url.replace("/graphql", "/healthz"))).status, 200);
    await answersAgain(server);
  });
});

describe("the read database on PostgreSQL", async () => {
  const url = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const probe = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  const available = await probe.connect().then(
    () => probe.end().then(() => true),
    () => false,
  );

  it("has the server cancel a statement past the deadline (statement_timeout) and answers QUERY_TIMEOUT", { skip: available ? false : `no PostgreSQL at ${url}` }, async () => {
    const config = loadConfig({ DATABASE_URL: url, QUERY_TIMEOUT_MS: "200" });
    // Nothing is created: the statements below touch no table.
    const writer = createDataSource(config.database);
    await writer.initialize();
    const db = await openReadDatabase(config, writer);
    try {
      assert.equal(db.dialect, "postgres");
      await assert.rejects(db.query("SELECT pg_sleep(5)"), (error: any) => error.extensions?.code === "QUERY_TIMEOUT");
      // The worker behind the timeout is not lost: the next statement, with named parameters, is answered.
      assert.deepEqual(await db.query("SELECT CAST(:a AS int) + 1 AS n WHERE 1 IN (:...ids)", { a: 1, ids: [1, 2] }), [{ n: 2 }]);
      await db.probe(1_000);
    } finally {
      await db.close();
      await writer.destroy();
    }
  });

  it("gives up on an answer that never comes (a stalled network) a second after the deadline, and closes that connection", { skip: available ? false : `no PostgreSQL at ${url}` }, async () => {
    // A TCP relay to the database that can stop passing anything on, as a broken network would:
    // statement_timeout cannot help, the statement never reaches the server.
    const target = new URL(url);
    let stalled = false;
    let closedByClient = 0;
    // What a stall holds back, passed on when it ends (so a failing run can still close its pool).
    const held: (() => void)[] = [];
    const resume = () => {
      stalled = false;
      for (const pass of held.splice(0)) pass();
    };
    const relay = net.createServer((client) => {
      const server = net.connect(Number(target.port || 5432), target.hostname);
      client.on("data", (chunk) => {
        if (stalled) held.push(() => server.write(chunk));
        else server.write(chunk);
      });
      server.on("data", (chunk) => {
        if (stalled) held.push(() => client.write(chunk));
        else client.write(chunk);
      });
      client.on("close", () => {
        closedByClient += 1;
        server.destroy();
      });
      server.on("close", () => client.destroy());
      client.on("error", () => undefined);
      server.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    const relayed = Object.assign(new URL(url), { port: String((relay.address() as net.AddressInfo).port) }).toString();
    const config = loadConfig({ DATABASE_URL: relayed, QUERY_TIMEOUT_MS: "200" });
    const writer = createDataSource(config.database);
    await writer.initialize();
    const db = await openReadDatabase(config, writer);
    try {
      assert.deepEqual(await db.query("SELECT 1 AS n"), [{ n: 1 }]);
      stalled = true;
      const started = Date.now();
      // Without a deadline the read would wait for ever; the test gives up at 6 s instead.
      const gaveUp = sleep(6_000).then(() => Promise.reject(new Error("the read waited past 6 s")));
      await assert.rejects(Promise.race([db.query("SELECT 2 AS n"), gaveUp]), (error: any) => error.extensions?.code === "QUERY_TIMEOUT");
      const waited = Date.now() - started;
      assert.ok(waited >= 1_100 && waited < 4_000, `gave up after ${waited} ms, expected the deadline plus one second`);
      for (let i = 0; i < 50 && closedByClient === 0; i++) await sleep(20);
      assert.ok(closedByClient >= 1, "the stalled connection was closed");
      resume();
      // A new connection answers.
      assert.deepEqual(await db.query("SELECT 3 AS n"), [{ n: 3 }]);
    } finally {
      resume();
      await db.close();
      await writer.destroy();
      await new Promise((resolve) => relay.close(resolve));
    }
  });
});
