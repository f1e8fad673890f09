import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import Redis from "ioredis";
import { priceOf } from "../../src/http/admission";
import { buildFtsQuery } from "../../src/search/fts-query";
import { assertPrefixesLongEnough, MIN_PREFIX_LENGTH, searchPrice } from "../../src/search/search-price";
import { firstError, postJson, type RawResponse } from "../support/hardening";
import { startTestServer, type TestServer } from "../support/server";
import { slowReads } from "../support/slow-reads";

const search = (query: string) => ({ query: `query($q: String!) { search(query: $q, first: 5) { totalCount nodes { article { title } } } }`, variables: { q: query } });
const from = (address: string, extra: Record<string, string> = {}) => ({ "x-forwarded-for": address, ...extra });

describe("search breadth", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it(`refuses a prefix shorter than ${MIN_PREFIX_LENGTH} letters with BAD_USER_INPUT before any statement runs`, async () => {
    for (const q of ["a*", "ab*", "harga b*", '"kim j"*', "beras -x*"]) {
      const response = await postJson(server, search(q));
      const error = firstError(response);
      assert.equal(error.extensions?.code, "BAD_USER_INPUT", q);
      assert.equal(error.extensions?.fields?.query, `prefix shorter than ${MIN_PREFIX_LENGTH} letters`, q);
      assert.equal(response.headers.get("x-sql-statements"), "0", q);
    }
    const fine = await postJson(server, search("har*"));
    assert.equal(fine.status, 200);
    assert.deepEqual(fine.json.data.search, { totalCount: 0, nodes: [] });
  });

  it("prices broad words higher than narrow ones", () => {
    const price = (q: string) => searchPrice(buildFtsQuery(q)!);
    assert.equal(price("harga beras"), 3);
    assert.ok(price("yang") > price("beras"));
    assert.ok(price("pem*") > price("pembangunan*"));
    assert.ok(price("pem*") > price("yang dan di"));
    assert.throws(() => assertPrefixesLongEnough(buildFtsQuery("x*")!), /at least 3 letters/);
    // A request's price: one point, complexity by the 500, and its searches.
    assert.equal(priceOf(74, []).points, 1);
    assert.equal(priceOf(1_102, []).points, 3);
    assert.deepEqual(priceOf(41, ["harga beras", "a*"]), { points: 4, complexity: 41, search: 3, expensive: true });
    assert.equal(priceOf(10, []).expensive, false);
  });
});

describe("cost-aware rate limits", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      // One point a second with a reserve of 29; the response cache off so every search runs.
      env: { RATE_LIMIT_ADDRESS_PER_MINUTE: "60", RATE_LIMIT_ADDRESS_BURST: "30", TRUST_PROXY: "true", RESPONSE_CACHE: "off" },
    });
  });
  after(() => server.close());

  async function servedBeforeRefusal(address: string, body: () => unknown): Promise<{ served: number; refusal: RawResponse }> {
    for (let served = 0; served < 100; served++) {
      const response = await postJson(server, body(), from(address));
      if (response.status !== 200) return { served, refusal: response };
    }
    throw new Error("never refused");
  }

  it("charges an expensive query more than a cheap one: its client is refused sooner, with 429 and Retry-After", async () => {
    const cheap = await servedBeforeRefusal("198.51.100.10", () => ({ query: "{ articles(first: 1) { totalCount } }" }));
    let n = 0;
    // Broad words, varied so no two searches are the same: 1 + (1 + 3 + 3 + 3 + 1) = 12 points each.
    const dear = await servedBeforeRefusal("198.51.100.11", () => search(`yang dan di kata${n++}`));
    assert.ok(cheap.served >= 25, `cheap client served ${cheap.served}`);
    assert.ok(dear.served <= 4, `expensive client served ${dear.served}`);
    for (const { refusal } of [cheap, dear]) {
      assert.equal(refusal.status, 429);
      assert.equal(firstError(refusal).extensions?.code, "RATE_LIMITED");
      assert.ok(Number(refusal.headers.get("retry-after")) >= 1);
    }
  });

  it("refuses with 400 a query dearer than any budget could ever pay", async () => {
    const response = await postJson(server, search("pem* kal*"), from("198.51.100.12"));
    assert.equal(response.status, 400);
    const error = firstError(response);
    assert.equal(error.extensions?.code, "QUERY_TOO_COMPLEX");
    assert.equal(error.extensions?.measure, "price");
    assert.equal(error.extensions?.limit, 29);
  });
});

describe("a cache hit costs one point", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { RATE_LIMIT_ADDRESS_PER_MINUTE: "60", RATE_LIMIT_ADDRESS_BURST: "30", TRUST_PROXY: "true" } });
  });
  after(() => server.close());

  it("gives back the rest of the price when the cache answered", async () => {
    // 11 points each (1 + 10 for three common words): charged in full, only two would fit in
    // the 30 points; a hit needs the price available but gives back all but its first point.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await postJson(server, search("yang dan di"), from("198.51.100.20"))).status);
    assert.deepEqual(statuses, Array(8).fill(200));
  });
});

describe("concurrent expensive requests per client", () => {
  let server: TestServer;
  const reads = slowReads((sql) => sql.includes("article_search"));
  before(async () => {
    server = await startTestServer({
      env: { RATE_LIMIT_EXPENSIVE_CONCURRENCY: "1", TRUST_PROXY: "true", RESPONSE_CACHE: "off", QUERY_TIMEOUT_MS: "60000" },
      app: { readDatabase: reads.open },
    });
  });
  after(() => server.close());

  it("lets one search per client run at a time and refuses the second with 429, leaving other clients alone", async () => {
    const first = postJson(server, search("harga beras"), from("198.51.100.30"));
    // The first holds its slot until its (slow) answer has gone out.
    for (let i = 0; i < 200 && reads.running === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(reads.running, 1);
    const second = await postJson(server, search("harga cabai"), from("198.51.100.30"));
    assert.equal(second.status, 429);
    assert.equal(firstError(second).extensions?.code, "RATE_LIMITED");
    assert.match(firstError(second).message, /at once/);
    const cheap = await postJson(server, { query: "{ __typename }" }, from("198.51.100.30"));
    assert.equal(cheap.status, 200);
    const other = postJson(server, search("harga bawang"), from("198.51.100.31"));
    assert.equal((await first).status, 200);
    assert.equal((await other).status, 200);
    // The slot is free again.
    assert.equal((await postJson(server, search("harga gula"), from("198.51.100.30"))).status, 200);
  });
});

describe("rate limits in Redis", async () => {
  const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000 });
  const available = await probe.connect().then(
    () => true,
    () => false,
  );
  const prefix = `content-api-test:${randomBytes(6).toString("hex")}`;
  // One point per 10 s and a reserve of 2: four quick requests are 200, 200, 200, 429 on any machine.
  // The response cache shares the Redis too: its keys go under the test's prefix as well, so the cleanup below takes them.
  const env = { RATE_LIMIT_ADDRESS_PER_MINUTE: "6", RATE_LIMIT_ADDRESS_BURST: "3", TRUST_PROXY: "true", RATE_LIMIT_REDIS_PREFIX: prefix, REDIS_KEY_PREFIX: `${prefix}:` };
  after(async () => {
    if (available) {
      const keys = await probe.keys(`${prefix}*`);
      if (keys.length) await probe.del(...keys);
    }
    probe.disconnect();
  });

  it("shares one budget between instances", { skip: available ? false : `no Redis at ${redisUrl}` }, async () => {
    const a = await startTestServer({ env: { ...env, REDIS_URL: redisUrl } });
    const b = await startTestServer({ env: { ...env, REDIS_URL: redisUrl } });
    try {
      const statuses: number[] = [];
      for (const server of [a, b, a, b]) statuses.push((await postJson(server, { query: "{ __typename }" }, from("198.51.100.40"))).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("fails open to a per-process limit by default, and closed with 503 when configured", async () => {
    const unreachable = "redis://127.0.0.1:1";
    const open = await startTestServer({ env: { ...env, REDIS_URL: unreachable } });
    const closed = await startTestServer({ env: { ...env, REDIS_URL: unreachable, RATE_LIMIT_REDIS_FAILURE: "closed" } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await postJson(open, { query: "{ __typename }" }, from("198.51.100.41"))).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      const refused = await postJson(closed, { query: "{ __typename }" }, from("198.51.100.41"));
      assert.equal(refused.status, 503);
      assert.equal(firstError(refused).extensions?.code, "SERVER_BUSY");
      assert.ok(refused.headers.get("retry-after"));
    } finally {
      await open.close();
      await closed.close();
    }
  });
});
