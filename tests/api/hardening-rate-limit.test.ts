import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TokenBuckets, tokenKey } from "../../src/http/rate-limit";
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

describe("token buckets", () => {
  test("keep no token text and stay within maxBuckets under a spray of clients", () => {
    let now = 0;
    const buckets = new TokenBuckets({ perMinute: 60, burst: 2 }, 100, () => now);
    for (let i = 0; i < 10_000; i++) buckets.take(`client-${i}`);
    assert.ok(buckets.size <= 100, `kept ${buckets.size} buckets`);
    // Idle buckets that have refilled are dropped even below the cap.
    now += 60_000;
    buckets.take("late");
    assert.equal(buckets.size, 1);
    assert.doesNotMatch(tokenKey("Bearer secret-token"), /secret/);
    assert.equal(tokenKey("Bearer a"), tokenKey("Bearer a"));
    assert.notEqual(tokenKey("Bearer a"), tokenKey("Bearer b"));
  });

  test("Retry-After is the time until the next whole request", () => {
    let now = 0;
    const buckets = new TokenBuckets({ perMinute: 6, burst: 1 }, 10, () => now);
    assert.deepEqual(buckets.take("a"), { allowed: true });
    assert.deepEqual(buckets.take("a"), { allowed: false, retryAfterSeconds: 10 });
    now += 4_000;
    assert.deepEqual(buckets.take("a"), { allowed: false, retryAfterSeconds: 6 });
    now += 6_000;
    assert.deepEqual(buckets.take("a"), { allowed: true });
    assert.deepEqual(new TokenBuckets({ perMinute: 0, burst: 0 }, 10).take("x"), { allowed: true });
  });
});
