import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RuleLimiter, sustainedWindow, tokenKey } from "../../src/http/rate-limit";
import { firstError, postJson, send } from "../support/hardening";
import { startTestServer, type TestServer } from "../support/server";

describe("rate limiting over HTTP", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      env: {
        // 3 at once per address, refilled at one a second; tokens get 2 at once.
        RATE_LIMIT_ADDRESS_BURST: "3",
        RATE_LIMIT_ADDRESS_PER_MINUTE: "60",
        RATE_LIMIT_TOKEN_BURST: "2",
        RATE_LIMIT_TOKEN_PER_MINUTE: "60",
        TRUST_PROXY: "true",
      },
      app: { authenticate: async () => ({ kind: "anonymous" }) },
    });
  });
  after(() => server.close());

  const from = (address: string, extra: Record<string, string> = {}) => ({ "x-forwarded-for": `203.0.113.250, ${address}`, ...extra });

  test("per address: the burst is served, then 429 with Retry-After, health stays up, and the bucket refills", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await postJson(server, { query: "{ __typename }" }, from("198.51.100.1"))).status, 200);
    const limited = await postJson(server, { query: "{ __typename }" }, from("198.51.100.1"));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "1");
    assert.equal(firstError(limited).extensions?.code, "RATE_LIMITED");
    assert.ok(limited.headers.get("x-request-id"));
    // Another client is unaffected, and health checks are never limited.
    assert.equal((await postJson(server, { query: "{ __typename }" }, from("198.51.100.2"))).status, 200);
    for (let i = 0; i < 5; i++) {
      assert.equal((await send(server.url.replace("/graphql", "/healthz"), { headers: from("198.51.100.1") })).status, 200);
      assert.equal((await send(server.url.replace("/graphql", "/readyz"), { headers: from("198.51.100.1") })).status, 200);
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await postJson(server, { query: "{ __typename }" }, from("198.51.100.1"))).status, 200);
  });

  test("per token: a token runs out on its own, and a fresh token per request does not escape the address limit", async () => {
    const alice = from("198.51.100.3", { authorization: "Bearer alice" });
    for (let i = 0; i < 2; i++) assert.equal((await postJson(server, { query: "{ __typename }" }, alice)).status, 200);
    assert.equal((await postJson(server, { query: "{ __typename }" }, alice)).status, 429);
    // Alice's token is spent wherever she goes; Bob's is his own.
    assert.equal((await postJson(server, { query: "{ __typename }" }, from("198.51.100.5", { authorization: "Bearer alice" }))).status, 429);
    assert.equal((await postJson(server, { query: "{ __typename }" }, from("198.51.100.6", { authorization: "Bearer bob" }))).status, 200);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await postJson(server, { query: "{ __typename }" }, from("198.51.100.4", { authorization: `Bearer random-${i}` }))).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  });
});

describe("rate limiter", () => {
  test("keeps no token text", () => {
    assert.doesNotMatch(tokenKey("Bearer secret-token"), /secret/);
    assert.equal(tokenKey("Bearer a"), tokenKey("Bearer a"));
    assert.notEqual(tokenKey("Bearer a"), tokenKey("Bearer b"));
  });

  test("enforces the sustained rate over the shortest window holding whole points", () => {
    assert.deepEqual(sustainedWindow(600), { points: 10, seconds: 1 });
    assert.deepEqual(sustainedWindow(60), { points: 1, seconds: 1 });
    assert.deepEqual(sustainedWindow(6), { points: 1, seconds: 10 });
    assert.deepEqual(sustainedWindow(90), { points: 3, seconds: 2 });
  });

  test("charges a price in points, draws on the burst reserve, and says when to come back", async () => {
    const limiter = new RuleLimiter({ perMinute: 60, burst: 5 }, "unit", { redis: null, failure: "open", prefix: `unit-${process.pid}` });
    // A price fits in a window (1 point) or in the reserve (4), never across both.
    assert.equal(limiter.capacity, 4);
    assert.equal((await limiter.take("a", 4)).allowed, true);
    assert.equal((await limiter.take("a", 1)).allowed, true);
    const refused = await limiter.take("a", 1);
    assert.equal(refused.allowed, false);
    // One point a second: the next whole point is under a second away.
    assert.equal(!refused.allowed && refused.retryAfterSeconds, 1);
    // A price only the reserve can pay waits for the reserve (a minute), not for the next window.
    const dear = await limiter.take("b", 4);
    assert.equal(dear.allowed, true);
    assert.equal((await limiter.take("b", 1)).allowed, true);
    const again = await limiter.take("b", 4);
    assert.ok(!again.allowed && again.retryAfterSeconds > 50, JSON.stringify(again));
    // Another client is unaffected, and a limiter with a zero rate is off.
    assert.equal((await limiter.take("c", 1)).allowed, true);
    const off = new RuleLimiter({ perMinute: 0, burst: 0 }, "off", { redis: null, failure: "open", prefix: `unit-${process.pid}` });
    assert.equal(off.enabled, false);
    assert.equal((await off.take("x", 1000)).allowed, true);
  });
});
