import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertNoLeak, firstError, postJson, send, type RawResponse } from "../support/hardening";
import { heldReads } from "../support/held-reads";
import { metric, scrape } from "../support/metrics";
import { startTestServer, type TestServer } from "../support/server";

const articles = { query: "{ articles(first: 1) { totalCount } }" };
const typename = { query: "{ __typename }" };

const baseOf = (server: TestServer) => server.url.replace(/\/graphql$/, "");

async function slotGauges(server: TestServer): Promise<{ running: number; queued: number }> {
  const samples = await scrape(baseOf(server));
  return { running: metric(samples, "graphql_operations_running"), queued: metric(samples, "graphql_operations_queued") };
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function assertBusy(response: RawResponse): void {
  assert.equal(response.status, 503);
  const error = firstError(response);
  assert.equal(error.extensions?.code, "SERVER_BUSY");
  assert.ok(error.extensions?.requestId, "the refusal carries the request id");
  assert.ok(Number(response.headers.get("retry-after")) >= 1);
  assert.equal(response.headers.get("cache-control"), "no-store");
  assertNoLeak(response.text);
}

function assertArticlesAnswered(response: RawResponse): void {
  assert.equal(response.status, 200, response.text);
  assert.equal(typeof response.json.data.articles.totalCount, "number");
}

describe("operations past MAX_CONCURRENT_OPERATIONS wait their turn", () => {
  const reads = heldReads();
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      env: { MAX_CONCURRENT_OPERATIONS: "1", MAX_QUEUED_OPERATIONS: "1", OPERATION_QUEUE_TIMEOUT_MS: "60000", RESPONSE_CACHE: "off" },
      app: { readDatabase: reads.open },
    });
  });
  after(async () => {
    reads.release();
    await server.close();
  });

  it("answers a queued operation once the running one is done, refuses one past the queue bound with 503, and answers health checks meanwhile", async () => {
    reads.hold();
    const first = postJson(server, articles);
    await reads.waitForHeld(1);
    let secondAnswered = false;
    const second = postJson(server, typename).then((response) => {
      secondAnswered = true;
      return response;
    });
    await until("the second operation to queue", async () => (await slotGauges(server)).queued === 1);
    assert.deepEqual(await slotGauges(server), { running: 1, queued: 1 });

    const health = await send(`${baseOf(server)}/healthz`);
    assert.equal(health.status, 200);
    const ready = await send(`${baseOf(server)}/readyz`);
    assert.equal(ready.status, 200);

    assertBusy(await postJson(server, typename));
    assert.equal(secondAnswered, false, "the queued operation waits while the first runs");

    reads.release();
    assertArticlesAnswered(await first);
    const answered = await second;
    assert.equal(answered.status, 200, answered.text);
    assert.deepEqual(answered.json.data, { __typename: "Query" });
    assert.deepEqual(await slotGauges(server), { running: 0, queued: 0 });
  });

  it("lets a request whose client has gone leave the queue", async () => {
    reads.hold();
    const first = postJson(server, articles);
    await reads.waitForHeld(1);
    const gone = new AbortController();
    const abandoned = fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(typename), signal: gone.signal }).catch(() => null);
    await until("the second operation to queue", async () => (await slotGauges(server)).queued === 1);
    gone.abort();
    await abandoned;
    await until("the abandoned operation to leave the queue", async () => (await slotGauges(server)).queued === 0);
    // Its place is free again: the next request waits instead of being refused.
    const next = postJson(server, typename);
    await until("the next operation to queue", async () => (await slotGauges(server)).queued === 1);
    reads.release();
    assertArticlesAnswered(await first);
    assert.equal((await next).status, 200);
    assert.deepEqual(await slotGauges(server), { running: 0, queued: 0 });
  });
});

describe("searches past what the search readers take", () => {
  const reads = heldReads();
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      // One search thread: it and its queue take 5 searches; the operation bound is well above,
      // and the per-client cap of expensive requests is off (every request comes from one address).
      env: { READ_SEARCH_POOL_SIZE: "1", RATE_LIMIT_EXPENSIVE_CONCURRENCY: "0", MAX_CONCURRENT_OPERATIONS: "16", OPERATION_QUEUE_TIMEOUT_MS: "60000", RESPONSE_CACHE: "off" },
      app: { readDatabase: reads.open },
    });
  });
  after(async () => {
    reads.release();
    await server.close();
  });

  it("wait for a search slot instead of being refused, without holding up other operations", async () => {
    reads.hold();
    const words = ["harga", "beras", "cabai", "bawang", "gula", "minyak"];
    const searches = words.map((word) =>
      postJson(server, { query: "query($q: String!) { search(query: $q, first: 3) { totalCount } }", variables: { q: word } }),
    );
    await reads.waitForHeld(5);
    await until("the sixth search to queue", async () => (await slotGauges(server)).queued === 1);
    assert.deepEqual(await slotGauges(server), { running: 5, queued: 1 });
    // Operation slots are free: an operation that does not search runs at once.
    const other = await postJson(server, typename);
    assert.equal(other.status, 200, other.text);
    reads.release();
    for (const response of await Promise.all(searches)) {
      assert.equal(response.status, 200, response.text);
      assert.equal(typeof response.json.data.search.totalCount, "number");
    }
    assert.deepEqual(await slotGauges(server), { running: 0, queued: 0 });
  });
});

describe("OPERATION_QUEUE_TIMEOUT_MS", () => {
  const reads = heldReads();
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      env: { MAX_CONCURRENT_OPERATIONS: "1", MAX_QUEUED_OPERATIONS: "4", OPERATION_QUEUE_TIMEOUT_MS: "300", RESPONSE_CACHE: "off" },
      app: { readDatabase: reads.open },
    });
  });
  after(async () => {
    reads.release();
    await server.close();
  });

  it("answers a request that waited past the deadline with 503 SERVER_BUSY, and the slot still works afterwards", async () => {
    reads.hold();
    const first = postJson(server, articles);
    await reads.waitForHeld(1);
    const startedAt = Date.now();
    const late = await postJson(server, typename);
    const waited = Date.now() - startedAt;
    assertBusy(late);
    assert.ok(waited >= 250, `refused after ${waited} ms, before the deadline`);
    assert.deepEqual(await slotGauges(server), { running: 1, queued: 0 });
    reads.release();
    assertArticlesAnswered(await first);
    assert.equal((await postJson(server, typename)).status, 200);
    assert.deepEqual(await slotGauges(server), { running: 0, queued: 0 });
  });
});

describe("response-cache hits and the operation bound", () => {
  const reads = heldReads();
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      env: { MAX_CONCURRENT_OPERATIONS: "1", MAX_QUEUED_OPERATIONS: "0" },
      app: { readDatabase: reads.open },
    });
  });
  after(async () => {
    reads.release();
    await server.close();
  });

  it("answers a cache hit while every slot is taken, and refuses a miss that finds no room", async () => {
    const cached = { query: "{ tags(first: 5) { totalCount } }" };
    const miss = await postJson(server, cached);
    assert.equal(miss.status, 200, miss.text);
    assert.equal(miss.headers.get("x-cache"), "MISS");

    reads.hold();
    const first = postJson(server, articles);
    await reads.waitForHeld(1);
    const hit = await postJson(server, cached);
    assert.equal(hit.status, 200, hit.text);
    assert.equal(hit.headers.get("x-cache"), "HIT");
    assert.deepEqual(hit.json.data, miss.json.data);
    // A document the cache has not seen needs a slot, and with no queue it is refused.
    assertBusy(await postJson(server, { query: "{ tags(first: 6) { totalCount } }" }));
    reads.release();
    assertArticlesAnswered(await first);
  });
});

describe("MAX_CONCURRENT_OPERATIONS=0", () => {
  const reads = heldReads();
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MAX_CONCURRENT_OPERATIONS: "0", MAX_QUEUED_OPERATIONS: "0", RESPONSE_CACHE: "off" }, app: { readDatabase: reads.open } });
  });
  after(async () => {
    reads.release();
    await server.close();
  });

  it("turns the bound off: operations run side by side", async () => {
    reads.hold();
    const first = postJson(server, articles);
    await reads.waitForHeld(1);
    const second = postJson(server, { query: "{ articles(first: 2) { totalCount } }" });
    await reads.waitForHeld(2);
    assert.deepEqual(await slotGauges(server), { running: 0, queued: 0 });
    reads.release();
    assertArticlesAnswered(await first);
    assertArticlesAnswered(await second);
  });
});
