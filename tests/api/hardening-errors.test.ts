import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createLogger } from "../../src/http/request-log";
import { makeArticle, makeTag } from "../support/factories";
import { assertNoLeak, assertStillServes, firstError, postJson, send } from "../support/hardening";
import { startTestServer, type TestServer } from "../support/server";

/** A pino destination that keeps every line, so tests can read what the server logged. */
function captureLog() {
  const lines: any[] = [];
  return {
    lines,
    logger: createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line)) }),
    /** The log line is written when the response closes, just after the client has it. */
    async waitFor(predicate: (line: any) => boolean): Promise<any> {
      for (let i = 0; i < 100; i++) {
        const found = lines.find(predicate);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.fail(`no such log line in ${JSON.stringify(lines)}`);
    },
  };
}

describe("errors leak nothing and carry the request id", () => {
  let server: TestServer;
  const log = captureLog();

  before(async () => {
    server = await startTestServer({
      app: {
        logger: log.logger,
        authenticate: async (authorization) => {
          if (authorization === "Bearer explode") {
            throw Object.assign(new Error("SQLITE_CORRUPT: database disk image is malformed at /work/data/content.sqlite"), { code: "SQLITE_CORRUPT" });
          }
          return { kind: "anonymous" };
        },
      },
    });
  });
  after(() => server.close());

  test("an error inside the context function is masked, logged in full, and tied to the request id", async () => {
    const response = await postJson(server, { query: "{ __typename }" }, { authorization: "Bearer explode" });
    assert.ok(response.status >= 400, response.text);
    const error = firstError(response);
    assert.equal(error.extensions?.code, "INTERNAL_SERVER_ERROR");
    assert.equal(error.message, "Internal server error");
    const requestId = response.headers.get("x-request-id");
    assert.ok(requestId);
    assert.equal(error.extensions?.requestId, requestId);
    assertNoLeak(response.text);
    assert.doesNotMatch(response.text, /malformed|CORRUPT|stack/i);
    const logged = await log.waitFor((line) => line.msg === "unexpected error" && line.requestId === requestId);
    assert.match(JSON.stringify(logged.err), /SQLITE_CORRUPT: database disk image is malformed/);
    assert.ok(logged.err.stack, "the log keeps the stack");
    await assertStillServes(server);
  });

  test("a body that is not JSON gets 400 with a request id and nothing else", async () => {
    const response = await send(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"query": "{ __typename }", ' });
    assert.equal(response.status, 400);
    const error = firstError(response);
    assert.equal(error.extensions?.code, "BAD_REQUEST");
    assert.equal(error.extensions?.requestId, response.headers.get("x-request-id"));
    assertNoLeak(response.text);
    assert.doesNotMatch(response.text, /Unexpected|position|JSON\.parse/);
    await assertStillServes(server);
  });

  test("unknown paths get a JSON 404 with a request id", async () => {
    for (const path of ["/nope", "/graphql/../../etc/passwd", "/%E0%A4%A", "/node_modules/.bin"]) {
      const response = await send(server.url.replace("/graphql", path));
      assert.equal(response.status, 404, path);
      assert.equal(firstError(response).extensions?.code, "NOT_FOUND");
      assert.ok(response.headers.get("x-request-id"));
      assertNoLeak(response.text, path);
    }
    await assertStillServes(server);
  });

  test("a client's request id is kept when well formed and replaced when not", async () => {
    const kept = await postJson(server, { query: "{ __typename }" }, { "x-request-id": "edge-abc.123" });
    assert.equal(kept.headers.get("x-request-id"), "edge-abc.123");
    const replaced = await postJson(server, { query: "{ __typename }" }, { "x-request-id": "<script>" + "x".repeat(100) });
    assert.match(replaced.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  });

  test("one log line per request with id, operation, duration, statements, status and viewer; no token or variable values", async () => {
    const response = await postJson(
      server,
      { query: "query ArticleBySlug($slug: String!) { article(slug: $slug) { title } }", variables: { slug: "very-secret-slug-value" }, operationName: "ArticleBySlug" },
      { authorization: "Bearer tok_live_supersecret", "x-request-id": "log-line-test" },
    );
    assert.equal(response.status, 200, response.text);
    const line = await log.waitFor((l) => l.msg === "request" && l.requestId === "log-line-test");
    assert.equal(line.operationName, "ArticleBySlug");
    assert.equal(line.status, 200);
    assert.equal(line.viewer, "anonymous");
    assert.equal(line.statements, Number(response.headers.get("x-sql-statements")));
    assert.ok(line.statements >= 1);
    assert.equal(typeof line.durationMs, "number");
    assert.equal(log.lines.filter((l) => l.requestId === "log-line-test").length, 1);
    const everything = JSON.stringify(log.lines);
    assert.doesNotMatch(everything, /supersecret|very-secret-slug-value/);
  });
});

describe("a failing database statement", () => {
  let server: TestServer;
  const log = captureLog();
  before(async () => {
    server = await startTestServer({ app: { logger: log.logger } });
    await makeArticle(server.dataSource, { tags: [await makeTag(server.dataSource)] });
  });
  after(() => server.close());

  test("becomes INTERNAL_SERVER_ERROR without SQL or driver codes, and the log has the SQL error", async () => {
    // A real driver failure: the table the tags loader reads is gone.
    await server.dataSource.query("ALTER TABLE article_tags RENAME TO article_tags_gone");
    try {
      const response = await postJson(server, { query: "{ articles(first: 5) { nodes { slug tags { slug } } } }" }, { "x-request-id": "db-failure" });
      const error = firstError(response);
      assert.equal(error.extensions?.code, "INTERNAL_SERVER_ERROR");
      assert.equal(error.message, "Internal server error");
      assert.equal(error.extensions?.requestId, "db-failure");
      assertNoLeak(response.text);
      assert.doesNotMatch(response.text, /article_tags|no such table|does not exist/);
      const logged = await log.waitFor((l) => l.msg === "unexpected error" && l.requestId === "db-failure");
      // SQLite: "no such table: article_tags"; PostgreSQL: 'relation "article_tags" does not exist'.
      assert.match(JSON.stringify(logged.err), /no such table|relation \\"article_tags\\" does not exist/);
    } finally {
      await server.dataSource.query("ALTER TABLE article_tags_gone RENAME TO article_tags");
    }
    await assertStillServes(server);
    const healed = await postJson(server, { query: "{ articles(first: 5) { nodes { tags { slug } } } }" });
    assert.equal(healed.json.errors, undefined, healed.text);
  });
});
