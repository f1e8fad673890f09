import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createLogger } from "../../src/http/request-log";
import { assertNoLeak, assertStillServes, firstError, postJson, send, type RawResponse } from "../support/hardening";
import { startTestServer, type TestServer } from "../support/server";

/** `{"a":{"a":…1…}}` nested `levels` objects deep (arrays when `array`). */
function nested(levels: number, array = false): string {
  return array ? `${"[".repeat(levels)}1${"]".repeat(levels)}` : `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function getWith(server: TestServer, params: Record<string, string>): Promise<RawResponse> {
  return send(`${server.url}?${new URLSearchParams(params).toString()}`, { headers: { "apollo-require-preflight": "true" } });
}

function assertRefused(response: RawResponse, status: number, code: string, label: string) {
  assert.equal(response.status, status, `${label}: ${response.text}`);
  assert.equal(firstError(response).extensions?.code, code, `${label}: ${response.text}`);
  assert.equal(firstError(response).extensions?.requestId, response.headers.get("x-request-id"), label);
  assertNoLeak(response.text, label);
}

describe("request shape: variable nesting and persisted-query extensions", () => {
  let server: TestServer;
  const lines: any[] = [];

  before(async () => {
    server = await startTestServer({ app: { logger: createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line)) }) } });
  });
  after(() => server.close());

  const problems = () => lines.filter((line) => line.level >= 40);

  test("Apollo's own refusals, made before any request context exists, name the request too", async () => {
    for (const [label, body] of [
      ["a JSON object with no keys", "{}"],
      ["variables sent as a string", '{"query":"{ __typename }","variables":"{}"}'],
    ]) {
      const response = await send(server.url, { method: "POST", headers: { "content-type": "application/json" }, body });
      assertRefused(response, 400, "BAD_REQUEST", label);
    }
  });

  test("variables nested 10 000 levels deep get 400 BAD_REQUEST, not a stack overflow", async () => {
    const body = `{"query":"{ __typename }","variables":{"unused":${nested(10_000)}}}`;
    assert.ok(body.length > 60_000 && body.length < 100_000);
    const response = await send(server.url, { method: "POST", headers: { "content-type": "application/json" }, body });
    assertRefused(response, 400, "BAD_REQUEST", "deep object");
    assert.match(firstError(response).message, /variables are nested deeper than 16 levels/);
    const arrays = await send(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: `{"query":"{ __typename }","variables":{"v":${nested(30_000, true)}}}` });
    assertRefused(arrays, 400, "BAD_REQUEST", "deep array");
    const extensions = await send(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: `{"query":"{ __typename }","extensions":{"x":${nested(10_000)}}}` });
    assertRefused(extensions, 400, "BAD_REQUEST", "deep extensions");
    await assertStillServes(server);
  });

  test("the bound is the configured depth: 16 levels pass, 17 are refused, over POST and GET", async () => {
    // The variables object itself is the first level.
    const ok = await postJson(server, { query: "{ __typename }", variables: { pad: JSON.parse(nested(15)) } });
    assert.equal(ok.status, 200, ok.text);
    const tooDeep = await postJson(server, { query: "{ __typename }", variables: { pad: JSON.parse(nested(16)) } });
    assertRefused(tooDeep, 400, "BAD_REQUEST", "17 levels");
    const getOk = await getWith(server, { query: "{ __typename }", variables: `{"pad":${nested(15)}}` });
    assert.equal(getOk.status, 200, getOk.text);
    const getDeep = await getWith(server, { query: "{ __typename }", variables: `{"pad":${nested(2_000, true)}}` });
    assertRefused(getDeep, 400, "BAD_REQUEST", "GET variables");
    assert.match(firstError(getDeep).message, /variables are nested deeper/);
    await assertStillServes(server);
  });

  test("malformed persisted-query extensions are client errors, never internal ones", async () => {
    const query = "{ __typename }";
    const cases: [string, () => Promise<RawResponse>, number, string][] = [
      ["hash mismatch with a query", () => postJson(server, { query, extensions: { persistedQuery: { version: 1, sha256Hash: "deadbeef" } } }), 400, "BAD_REQUEST"],
      ["well-formed hash of another query", () => postJson(server, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256("{ other }") } } }), 400, "BAD_REQUEST"],
      ["version 2", () => postJson(server, { query, extensions: { persistedQuery: { version: 2, sha256Hash: sha256(query) } } }), 400, "BAD_REQUEST"],
      ["version 2 without a query", () => postJson(server, { extensions: { persistedQuery: { version: 2, sha256Hash: sha256(query) } } }), 400, "BAD_REQUEST"],
      ["no version", () => postJson(server, { query, extensions: { persistedQuery: { sha256Hash: sha256(query) } } }), 400, "BAD_REQUEST"],
      ["missing hash", () => postJson(server, { query, extensions: { persistedQuery: { version: 1 } } }), 400, "BAD_REQUEST"],
      ["missing hash without a query", () => postJson(server, { extensions: { persistedQuery: { version: 1 } } }), 400, "BAD_REQUEST"],
      ["null hash", () => postJson(server, { query, extensions: { persistedQuery: { version: 1, sha256Hash: null } } }), 400, "BAD_REQUEST"],
      ["numeric hash", () => postJson(server, { extensions: { persistedQuery: { version: 1, sha256Hash: 5 } } }), 400, "BAD_REQUEST"],
      ["string persistedQuery", () => postJson(server, { query, extensions: { persistedQuery: "abc" } }), 400, "BAD_REQUEST"],
      ["string persistedQuery without a query", () => postJson(server, { extensions: { persistedQuery: "abc" } }), 400, "BAD_REQUEST"],
      ["array persistedQuery", () => postJson(server, { query, extensions: { persistedQuery: [1] } }), 400, "BAD_REQUEST"],
      ["GET hash mismatch", () => getWith(server, { query, extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: "deadbeef" } }) }), 400, "BAD_REQUEST"],
      ["GET version 2", () => getWith(server, { query, extensions: JSON.stringify({ persistedQuery: { version: 2, sha256Hash: sha256(query) } }) }), 400, "BAD_REQUEST"],
      // Apollo's APQ protocol: an unknown hash is 200 + PERSISTED_QUERY_NOT_FOUND, so the client resends the query.
      ["unknown hash (POST)", () => postJson(server, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256("{ unknown }") } } }), 200, "PERSISTED_QUERY_NOT_FOUND"],
      ["unknown hash (GET)", () => getWith(server, { extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256("{ unknown }") } }) }), 200, "PERSISTED_QUERY_NOT_FOUND"],
    ];
    for (const [label, request, status, code] of cases) {
      const response = await request();
      assertRefused(response, status, code, label);
      assert.equal(response.json.data, undefined, label);
    }
    assert.deepEqual(
      problems().filter((line) => line.level >= 50),
      [],
      "no error-level log line for a client's mistake",
    );
    await assertStillServes(server);
  });

  test("a well-formed persisted query still registers and then runs by hash alone", async () => {
    const query = "{ __typename apq: __typename }";
    const persistedQuery = { version: 1, sha256Hash: sha256(query) };
    const registered = await postJson(server, { query, extensions: { persistedQuery } });
    assert.equal(registered.status, 200, registered.text);
    assert.deepEqual(registered.json.data, { __typename: "Query", apq: "Query" });
    const byHash = await getWith(server, { extensions: JSON.stringify({ persistedQuery }) });
    assert.equal(byHash.status, 200, byHash.text);
    assert.deepEqual(byHash.json.data, { __typename: "Query", apq: "Query" });
  });

  test("refusals are logged at warning level at most once a minute per cause", async () => {
    lines.length = 0;
    const mismatch = () => postJson(server, { query: "{ __typename }", extensions: { persistedQuery: { version: 1, sha256Hash: sha256("{ other }") } } });
    const version = () => postJson(server, { query: "{ __typename }", extensions: { persistedQuery: { version: 3, sha256Hash: "deadbeef" } } });
    const deep = () => postJson(server, { query: "{ __typename }", variables: { v: JSON.parse(nested(40)) } });
    // Earlier tests may have logged these causes already: start a fresh minute.
    server.clock.advance(61_000);
    for (let i = 0; i < 20; i++) {
      assertRefused(await mismatch(), 400, "BAD_REQUEST", "mismatch");
      assertRefused(await version(), 400, "BAD_REQUEST", "version");
      assertRefused(await deep(), 400, "BAD_REQUEST", "deep");
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const warned = () => problems().map((line) => ({ level: line.level, cause: line.cause }));
    assert.deepEqual(
      warned().sort((a, b) => a.cause.localeCompare(b.cause)),
      [
        { level: 40, cause: "persisted-query-mismatch" },
        { level: 40, cause: "persisted-query-version" },
        { level: 40, cause: "variables-too-deep" },
      ],
    );
    assert.ok(problems().every((line) => !line.err && !line.stack), "no stack in the log");
    // A minute later the same cause is logged again, with how many were left out meanwhile.
    server.clock.advance(61_000);
    await mismatch();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = problems().filter((line) => line.cause === "persisted-query-mismatch");
    assert.equal(again.length, 2);
    assert.equal(again[1].suppressed, 19);
  });
});
