import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createLogger } from "../../src/http/request-log";
import { countCacheEviction, countWebhookDelivery, MAX_OPERATION_LABELS, setWebhookOutboxPending } from "../../src/ops/metrics";
import { createPostgresDatabase, dropDatabase, postgresAnswers } from "../support/database";
import { bearer, Role } from "../support/editorial";
import { makeArticle } from "../support/factories";
import { metric, parseMetrics, scrape, type Sample } from "../support/metrics";
import { startTestServer, type TestServer } from "../support/server";

/**
 * `/metrics` over real HTTP. The registry is one per process and this file's servers share
 * it, so every assertion compares a scrape before and after the requests it is about.
 */
const baseOf = (server: TestServer) => server.url.replace(/\/graphql$/, "");

function captureLog() {
  const lines: any[] = [];
  return { lines, logger: createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}

async function waitForLine(lines: any[], requestId: string): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const found = lines.find((l) => l.requestId === requestId);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`no log line for ${requestId}`);
}

const durationCount = (samples: Sample[], labels: Record<string, string>) => metric(samples, "http_request_duration_seconds_count", labels);

describe("/metrics outside production", () => {
  let server: TestServer;
  let base: string;
  const log = captureLog();
  before(async () => {
    server = await startTestServer({ app: { logger: log.logger } });
    base = baseOf(server);
    for (let i = 0; i < 5; i++) await makeArticle(server.dataSource);
  });
  after(() => server.close());

  test("is open, in the Prometheus text format, with process and event-loop metrics", async () => {
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const samples = parseMetrics(await response.text());
    for (const name of ["process_resident_memory_bytes", "process_cpu_seconds_total", "nodejs_heap_size_used_bytes", "nodejs_eventloop_lag_p99_seconds", "db_pool_waiting"]) {
      assert.ok(samples.some((s) => s.name === name), `${name} is exposed`);
    }
    assert.ok(metric(samples, "process_resident_memory_bytes") > 0);
  });

  test("a request is timed by route, operation and status, and its SQL statements are counted", async () => {
    const before = await scrape(base);
    const response = await server.gql("query MetricsProbe { articles(first: 3) { totalCount nodes { title author { name } } } }");
    assert.equal(response.status, 200);
    assert.ok(response.statements >= 1);
    const after = await scrape(base);
    const labels = { route: "graphql", operation: "MetricsProbe", status: "200" };
    assert.equal(durationCount(after, labels) - durationCount(before, labels), 1);
    const statements = (s: Sample[]) => metric(s, "sql_statements_per_request_sum", { operation: "MetricsProbe" });
    assert.equal(statements(after) - statements(before), response.statements);
    // The scrape itself is a request too, on its own route.
    assert.ok(durationCount(after, { route: "metrics", status: "200" }) >= 1);
  });

  test("response cache: a miss, then a hit; token holders bypass it; the log line says which", async () => {
    const query = "query CacheProbe { articles(first: 2) { nodes { slug } } }";
    const before = await scrape(base);
    const first = await server.gql(query, undefined, { "x-request-id": "cache-probe-1" });
    const second = await server.gql(query, undefined, { "x-request-id": "cache-probe-2" });
    const editor = await bearer(server, Role.EDITOR);
    const third = await server.gql(query, undefined, { ...editor.headers, "x-request-id": "cache-probe-3" });
    assert.deepEqual([first.status, second.status, third.status], [200, 200, 200]);
    assert.equal(second.statements, 0, "the second answer came from the cache");
    const after = await scrape(base);
    const lookups = (s: Sample[], result: string) => metric(s, "response_cache_lookups_total", { result });
    assert.equal(lookups(after, "miss") - lookups(before, "miss"), 1);
    assert.equal(lookups(after, "hit") - lookups(before, "hit"), 1);
    assert.equal((await waitForLine(log.lines, "cache-probe-1")).cache, "miss");
    assert.equal((await waitForLine(log.lines, "cache-probe-2")).cache, "hit");
    assert.equal((await waitForLine(log.lines, "cache-probe-3")).cache, "bypass");
    const line = await waitForLine(log.lines, "cache-probe-2");
    assert.equal(line.operationName, "CacheProbe");
    assert.equal(typeof line.durationMs, "number");
    assert.equal(line.statements, 0);
  });

  test("GraphQL errors are counted by code", async () => {
    const before = await scrape(base);
    assert.equal((await server.gql("{ nope }")).status, 400);
    const tooMany = await server.gql("{ articles(first: 101) { totalCount } }");
    const code = tooMany.body.errors?.[0]?.extensions?.code;
    assert.ok(code, JSON.stringify(tooMany.body));
    const after = await scrape(base);
    const errors = (s: Sample[], c: string) => metric(s, "graphql_errors_total", { code: c });
    assert.equal(errors(after, "GRAPHQL_VALIDATION_FAILED") - errors(before, "GRAPHQL_VALIDATION_FAILED"), 1 + (code === "GRAPHQL_VALIDATION_FAILED" ? 1 : 0));
    if (code !== "GRAPHQL_VALIDATION_FAILED") assert.equal(errors(after, code) - errors(before, code), 1);
  });

  test(`operation labels stay bounded: after ${MAX_OPERATION_LABELS} names, unnamed, unknown and new names share "other"`, async () => {
    for (let i = 0; i < MAX_OPERATION_LABELS + 10; i++) assert.equal((await server.gql(`query Spray${i} { __typename }`)).status, 200);
    const before = await scrape(base);
    await server.gql("{ __typename }");
    // A name the document does not define is not an operation.
    const ghost = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "query Real { __typename }", operationName: "Ghost" }) });
    assert.equal(ghost.status, 400);
    await server.gql(`query Spray${MAX_OPERATION_LABELS + 20} { __typename }`);
    const after = await scrape(base);
    const operations = new Set(after.filter((s) => s.name === "http_request_duration_seconds_count" && s.labels.route === "graphql").map((s) => s.labels.operation));
    assert.ok(operations.size <= MAX_OPERATION_LABELS + 1, `${operations.size} operation labels`);
    assert.ok(operations.has("other"));
    assert.ok(!operations.has("Ghost") && !operations.has(`Spray${MAX_OPERATION_LABELS + 20}`) && !operations.has(`Spray${MAX_OPERATION_LABELS + 9}`));
    const other = (s: Sample[]) => durationCount(s, { route: "graphql", operation: "other" });
    assert.equal(other(after) - other(before), 3);
  });

  test("webhook and cache counters other modules call are exported with their labels", async () => {
    const before = await scrape(base);
    countWebhookDelivery("delivered", 0.12);
    countWebhookDelivery("failed", 3);
    countWebhookDelivery("gave_up");
    setWebhookOutboxPending(7);
    countCacheEviction(2);
    const after = await scrape(base);
    for (const outcome of ["delivered", "failed", "gave_up"]) {
      assert.equal(metric(after, "webhook_deliveries_total", { outcome }) - metric(before, "webhook_deliveries_total", { outcome }), 1);
    }
    assert.equal(metric(after, "webhook_delivery_duration_seconds_count") - metric(before, "webhook_delivery_duration_seconds_count"), 2);
    assert.equal(metric(after, "webhook_outbox_pending"), 7);
    assert.equal(metric(after, "response_cache_evictions_total") - metric(before, "response_cache_evictions_total"), 2);
  });
});

describe("counters fed by the running server", () => {
  test("rate-limit refusals are counted", async () => {
    const server = await startTestServer({ env: { RATE_LIMIT_ADDRESS_PER_MINUTE: "1", RATE_LIMIT_ADDRESS_BURST: "2" } });
    // Scrapes would draw on the limited bucket: read the (per-process) registry through a server without limits.
    const reader = await startTestServer();
    try {
      const before = await scrape(baseOf(reader));
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await server.gql("{ __typename }")).status);
      const refused = statuses.filter((s) => s === 429).length;
      assert.ok(refused >= 2, `statuses ${statuses.join(", ")}`);
      const after = await scrape(baseOf(reader));
      assert.equal(metric(after, "rate_limit_refusals_total") - metric(before, "rate_limit_refusals_total"), refused);
      assert.equal(durationCount(after, { route: "graphql", status: "429" }) - durationCount(before, { route: "graphql", status: "429" }), refused);
    } finally {
      await reader.close();
      await server.close();
    }
  });

  test("response cache evictions are counted when the cache is full", async () => {
    const server = await startTestServer({ env: { RESPONSE_CACHE_MAX_BYTES: "4000" } });
    try {
      for (let i = 0; i < 8; i++) await makeArticle(server.dataSource, { lead: `${"panjang ".repeat(60)}${i}` });
      const before = await scrape(baseOf(server));
      for (let first = 1; first <= 8; first++) assert.equal((await server.gql(`{ articles(first: ${first}) { nodes { lead } } }`)).status, 200);
      const after = await scrape(baseOf(server));
      assert.ok(metric(after, "response_cache_evictions_total") > metric(before, "response_cache_evictions_total"));
    } finally {
      await server.close();
    }
  });
});

describe("/metrics in production", () => {
  const TOKEN = "metrics-token-0123456789abcdef";
  let open: TestServer;
  let guarded: TestServer;
  before(async () => {
    open = await startTestServer({ env: { NODE_ENV: "production" } });
    guarded = await startTestServer({ env: { NODE_ENV: "production", METRICS_TOKEN: TOKEN } });
  });
  after(async () => {
    await open.close();
    await guarded.close();
  });

  test("without METRICS_TOKEN it is not served on the public port at all", async () => {
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
      const response = await fetch(`${baseOf(open)}/metrics`, { headers });
      const text = await response.text();
      assert.equal(response.status, 404);
      assert.doesNotMatch(text, /process_|nodejs_|http_request/);
    }
  });

  test("with METRICS_TOKEN an anonymous or wrongly authorized request cannot read it; the token can", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong-token-0123456789abcdef" }, { authorization: TOKEN }, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` }];
    for (const headers of attempts) {
      const response = await fetch(`${baseOf(guarded)}/metrics`, { headers });
      const text = await response.text();
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.doesNotMatch(text, /process_|nodejs_|http_request/);
      assert.equal(JSON.parse(text).errors[0].extensions.code, "UNAUTHENTICATED");
    }
    const samples = await scrape(baseOf(guarded), { authorization: `Bearer ${TOKEN}` });
    assert.ok(metric(samples, "process_resident_memory_bytes") > 0);
  });
});

describe("/metrics on PostgreSQL", async () => {
  const available = await postgresAnswers();
  test("reports the connection pool", { skip: !available && "no PostgreSQL at 127.0.0.1:5432" }, async () => {
    const url = await createPostgresDatabase("metrics");
    try {
      const server = await startTestServer({ databaseUrl: url });
      try {
        assert.equal((await server.gql("{ articles { totalCount } }")).status, 200);
        const samples = await scrape(baseOf(server));
        const connections = metric(samples, "db_pool_connections", { state: "idle" }) + metric(samples, "db_pool_connections", { state: "active" });
        assert.ok(connections >= 1, `pool connections: ${connections}`);
        assert.ok(samples.some((s) => s.name === "db_pool_waiting"));
      } finally {
        await server.close();
      }
    } finally {
      await dropDatabase(url);
    }
  });
});
