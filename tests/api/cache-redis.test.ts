import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import Redis from "ioredis";
import { createLogger } from "../../src/http/request-log";
import { bearer, Role } from "../support/editorial";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import {
  cacheGeneration,
  dropPrefix,
  freePort,
  hasRedisServer,
  redisAnswers,
  startRedisServer,
  stopProcess,
  TEST_REDIS_URL,
  uniquePrefix,
  waitFor,
} from "../support/redis";
import { startTestServer, tempDatabaseFile, type TestServer } from "../support/server";

const PAGE = `query Page($slug: String!) { article(slug: $slug) { title lead author { name } tags { name } related(first: 3) { article { slug } } } }`;

describe("shared cache and persisted queries in Redis, two instances", async () => {
  const available = await redisAnswers();
  const skip = !available && `no Redis at ${TEST_REDIS_URL}`;
  const prefix = uniquePrefix("two");
  let a: TestServer;
  let b: TestServer;
  let editor: Record<string, string>;
  let articleId: number;

  before(async () => {
    if (!available) return;
    const dbFile = tempDatabaseFile("redis-two");
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix };
    a = await startTestServer({ dbFile, env });
    b = await startTestServer({ dbFile, env });
    const author = await makeAuthor(a.dataSource, { slug: "wartawan" });
    const tag = await makeTag(a.dataSource, { slug: "ekonomi" });
    articleId = (await makeArticle(a.dataSource, { slug: "harga-beras", title: "Harga beras naik", author, tags: [tag] })).id;
    await makeArticle(a.dataSource, { slug: "harga-cabai", title: "Harga cabai turun", author, tags: [tag] });
    editor = (await bearer(a, Role.EDITOR)).headers;
    // Each instance starts a new generation when it first reaches Redis; after both, both use it.
    await waitFor(() => cacheGeneration(prefix), (gen) => gen >= 2);
  });
  after(async () => {
    if (!available) return;
    await a?.close();
    await b?.close();
    await dropPrefix(prefix);
  });

  it("an answer cached on A is a hit on B", { skip }, async () => {
    const first = await a.gql(PAGE, { slug: "harga-cabai" });
    assert.equal(first.headers.get("x-cache"), "MISS");
    const onB = await b.gql(PAGE, { slug: "harga-cabai" });
    assert.equal(onB.headers.get("x-cache"), "HIT");
    assert.equal(onB.statements, 0);
    assert.deepEqual(onB.body, first.body);
  });

  it("an edit on A is fresh on B at once, and other pages stay shared hits", { skip }, async () => {
    await a.gql(PAGE, { slug: "harga-beras" });
    assert.equal((await b.gql(PAGE, { slug: "harga-beras" })).headers.get("x-cache"), "HIT");
    await b.gql(`{ tags(first: 5) { nodes { slug } } }`);
    const edit = await a.gql(`mutation($id: ID!) { updateArticle(id: $id, input: { title: "Harga beras melonjak" }) { id } }`, { id: String(articleId) }, editor);
    assert.equal(edit.body.errors, undefined, JSON.stringify(edit.body.errors));
    const onB = await b.gql(PAGE, { slug: "harga-beras" });
    assert.equal(onB.body.data.article.title, "Harga beras melonjak", "B's first read after A's mutation answered is fresh");
    assert.equal(onB.headers.get("x-cache"), "MISS");
    assert.equal((await a.gql(`{ tags(first: 5) { nodes { slug } } }`)).headers.get("x-cache"), "HIT", "the tag listing, untouched by the edit, is still shared");
  });

  it("a persisted query registered on A runs by hash on B", { skip }, async () => {
    const query = `{ article(slug: "harga-cabai") { title } }`;
    const sha256Hash = createHash("sha256").update(query).digest("hex");
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const byHashOn = (server: TestServer) =>
      fetch(`${server.url}?${new URLSearchParams({ extensions: JSON.stringify(extensions) }).toString()}`, { headers: { "apollo-require-preflight": "true" } });
    const unknown: any = await (await byHashOn(b)).json();
    assert.equal(unknown.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_NOT_FOUND");
    const registered = await fetch(a.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, extensions }) });
    assert.equal(registered.status, 200);
    const onB = await byHashOn(b);
    assert.equal(onB.status, 200);
    assert.deepEqual(await onB.json(), { data: { article: { title: "Harga cabai turun" } } });
  });
});

describe("Redis going away mid-run", async () => {
  const runnable = hasRedisServer();
  const skip = !runnable && "no redis-server binary to start";
  const prefix = uniquePrefix("gone");
  const warnings: string[] = [];
  let redis: ChildProcess | null = null;
  let port = 0;
  let server: TestServer;
  let editor: Record<string, string>;
  let articleId: number;

  before(async () => {
    if (!runnable) return;
    port = await freePort();
    redis = await startRedisServer(port);
    const logger = createLogger("warn", {
      write: (line: string) => {
        const entry = JSON.parse(line);
        if (entry.level >= 40) warnings.push(String(entry.msg));
      },
    });
    server = await startTestServer({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: prefix }, app: { logger } });
    const author = await makeAuthor(server.dataSource);
    articleId = (await makeArticle(server.dataSource, { slug: "banjir-jakarta", title: "Banjir Jakarta", author })).id;
    editor = (await bearer(server, Role.EDITOR)).headers;
    await waitFor(() => cacheGeneration(prefix, `redis://127.0.0.1:${port}`), (gen) => gen >= 1);
  });
  after(async () => {
    if (!runnable) return;
    await server?.close();
    if (redis) await stopProcess(redis);
  });

  it("keeps answering reads, stays ready, logs the outage once, and uses Redis again when it is back", { skip }, async () => {
    const slug = { slug: "banjir-jakarta" };
    await server.gql(PAGE, slug);
    assert.equal((await server.gql(PAGE, slug)).headers.get("x-cache"), "HIT");

    await stopProcess(redis!);
    redis = null;
    for (let i = 0; i < 20; i++) {
      const res = await server.gql(PAGE, slug);
      assert.equal(res.status, 200);
      assert.equal(res.body.data.article.title, "Banjir Jakarta");
    }
    assert.equal((await server.gql(PAGE, slug)).headers.get("x-cache"), "HIT", "the local cache stands in");
    const ready = await fetch(server.url.replace("/graphql", "/readyz"));
    assert.equal(ready.status, 200);

    // Writes go on, and invalidate the local stand-in.
    const edit = await server.gql(`mutation($id: ID!) { updateArticle(id: $id, input: { title: "Banjir Jakarta surut" }) { id } }`, { id: String(articleId) }, editor);
    assert.equal(edit.body.errors, undefined, JSON.stringify(edit.body.errors));
    assert.equal((await server.gql(PAGE, slug)).body.data.article.title, "Banjir Jakarta surut");
    // The client notices on its first reconnect attempt; one warning however many clients noticed.
    await waitFor(async () => warnings.filter((w) => /redis unavailable/.test(w)).length, (n) => n >= 1, 5_000).catch(() => undefined);
    assert.equal(warnings.filter((w) => /redis unavailable/.test(w)).length, 1, `one outage warning, got ${JSON.stringify(warnings)}`);

    redis = await startRedisServer(port);
    await waitFor(() => cacheGeneration(prefix, `redis://127.0.0.1:${port}`), (gen) => gen >= 1);
    const missThenShared = await server.gql(PAGE, slug);
    assert.equal(missThenShared.body.data.article.title, "Banjir Jakarta surut");
    assert.equal((await server.gql(PAGE, slug)).headers.get("x-cache"), "HIT");
    const back = new Redis(`redis://127.0.0.1:${port}`);
    try {
      const [, entries] = await back.scan("0", "MATCH", `${prefix}rc:e:*`, "COUNT", 1000);
      assert.ok(entries.length > 0, "entries are stored in Redis again");
    } finally {
      back.disconnect();
    }
  });
});
