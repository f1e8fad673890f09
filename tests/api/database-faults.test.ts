import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "pg";
import { ADMIN_URL, onlyOn } from "../support/database";
import { bearer, Role } from "../support/editorial";
import { makeArticle } from "../support/factories";
import { assertNoLeak, send } from "../support/hardening";
import { startTestServer, type TestServer } from "../support/server";

/**
 * The database goes away under a running server (failover, restart, an operator ending
 * sessions): clients get 503 SERVICE_UNAVAILABLE, never a 500 with the driver's words, and the
 * server serves again as soon as the database is back, without a restart.
 */
describe("a lost PostgreSQL connection (PostgreSQL)", onlyOn("postgres"), () => {
  let server: TestServer;
  let admin: Client;
  let database: string;
  let editor: Record<string, string>;
  const QUERY = `{ articles(first: 3) { totalCount nodes { slug author { name } } } }`;

  const graphql = (headers: Record<string, string> = {}) =>
    send(server.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query: QUERY }) });
  const readyz = () => send(server.url.replace("/graphql", "/readyz"));
  const endSessions = () => admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);

  async function eventuallyServes(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const response = await graphql();
      if (response.status === 200 && !response.json?.errors) return;
      if (Date.now() > deadline) assert.fail(`still failing after the database came back: ${response.status} ${response.text}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  before(async () => {
    // The response cache would answer repeated reads without the database.
    server = await startTestServer({ env: { RESPONSE_CACHE: "off" } });
    database = new URL(server.dbFile).pathname.slice(1);
    admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await makeArticle(server.dataSource, { slug: "sebelum-putus" });
    editor = (await bearer(server, Role.EDITOR)).headers;
  });
  after(async () => {
    await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.end();
    await server.close();
  });

  it("sessions ended by the server: the next request is a 503 or a success on a new connection, and the one after succeeds", async () => {
    assert.equal((await graphql()).status, 200);
    await endSessions();
    const next = await graphql();
    if (next.status !== 200) {
      assert.equal(next.status, 503, next.text);
      assert.equal(next.json.errors[0].extensions.code, "SERVICE_UNAVAILABLE");
      assertNoLeak(next.text);
    }
    await eventuallyServes();
    assert.equal((await readyz()).status, 200);
  });

  it("while the database refuses connections: 503 SERVICE_UNAVAILABLE for reads, token holders and /readyz; back when it is", async () => {
    await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
    try {
      await endSessions();
      for (const headers of [{}, editor]) {
        const response = await graphql(headers);
        assert.equal(response.status, 503, response.text);
        assert.equal(response.headers.get("retry-after"), "1");
        assert.equal(response.json.errors[0].extensions.code, "SERVICE_UNAVAILABLE", response.text);
        assert.ok(response.json.errors[0].extensions.requestId);
        assertNoLeak(response.text);
        assert.doesNotMatch(response.text, /terminat|ECONN|not currently accepting|pg_|57P01|Internal server error/i);
      }
      const ready = await readyz();
      assert.equal(ready.status, 503);
      assert.deepEqual(ready.json, { status: "database unavailable" });
    } finally {
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
    }
    await eventuallyServes();
    assert.equal((await readyz()).status, 200);
    const write = await send(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...editor },
      body: JSON.stringify({ query: `mutation { createTag(input: { name: "Setelah Pulih" }) { slug } }` }),
    });
    assert.deepEqual(write.json.data, { createTag: { slug: "setelah-pulih" } }, write.text);
  });
});
