import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import { after, describe, test } from "node:test";
import { serverPidFile } from "../../src/ops/server-lock";
import { createToken } from "../../src/services/token.service";
import { Role } from "../../src/viewer";
import { metric, parseMetrics } from "../support/metrics";
import { tempDbFile, withDatabase } from "../support/seed-cli";
import { postGraphQL, request, spawnServer, type SpawnedServer } from "../support/spawn";

const HOME = "query Home { articles(first: 5) { nodes { slug } } }";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("WEB_CONCURRENCY=2 (node:cluster) on SQLite", () => {
  let server: SpawnedServer | null = null;
  after(() => server?.kill());

  test("a write through one worker is seen through the other, metrics cover both, SIGTERM to the primary stops all gracefully", async () => {
    const dbFile = tempDbFile("cluster");
    const secret = await withDatabase(dbFile, async (ds) => (await createToken(ds, "console", { name: "cluster test", role: Role.EDITOR }, new Date())).secret);
    const auth = { authorization: `Bearer ${secret}` };
    server = await spawnServer({ DATABASE_URL: `sqlite:${dbFile}`, WEB_CONCURRENCY: "2" }, { readyLines: 2 });
    const base = server.base;
    assert.match(server.output(), /primary \d+: starting 2 workers/);
    assert.equal(server.output().match(/empty database: loaded/g)?.length, 1, "the primary seeded once");
    let graphqlRequests = 0;
    const read = async () => {
      graphqlRequests += 1;
      const response = await postGraphQL(base, HOME);
      assert.equal(response.status, 200, response.text);
      return { worker: String(response.headers["x-worker"]), slugs: JSON.parse(response.text).data.articles.nodes.map((n: { slug: string }) => n.slug) as string[], statements: Number(response.headers["x-sql-statements"]) };
    };

    // Every request below is a new connection; the primary hands connections out in turn.
    // Fill both workers' response caches: each has answered the home query from its cache.
    const cached = new Set<string>();
    const seen = new Set<string>();
    for (let i = 0; i < 40 && cached.size < 2; i++) {
      const r = await read();
      seen.add(r.worker);
      if (r.statements === 0) cached.add(r.worker);
    }
    assert.equal(cached.size, 2, `both workers answered from their cache (seen ${[...seen].join(", ")})`);

    graphqlRequests += 2;
    const made = await postGraphQL(
      base,
      `mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id slug } }`,
      { input: { title: "Kabar dari dua proses", lead: "Lead.", body: "Isi.", authorSlug: "arpan-rachman", tagSlugs: [] } },
      auth,
    );
    const article = JSON.parse(made.text).data.createArticle;
    const published = await postGraphQL(base, `mutation ($id: ID!) { publishArticle(id: $id) { id } }`, { id: article.id }, auth);
    assert.equal(published.status, 200, published.text);
    const writer = String(published.headers["x-worker"]);

    // The other worker's cache was keyed by the old content version; its 1 s data_version
    // poll notices the other process's commit. Anonymous reads, until it shows the article.
    let seenByOther = false;
    for (let i = 0; i < 100 && !seenByOther; i++) {
      const r = await read();
      if (r.worker !== writer && r.slugs[0] === article.slug) seenByOther = true;
      else await sleep(50);
    }
    assert.ok(seenByOther, `worker other than ${writer} served the new article`);

    // /metrics through either worker: every worker's requests, summed by the primary.
    const scraped = await request(base, "/metrics");
    assert.equal(scraped.status, 200, scraped.text);
    const samples = parseMetrics(scraped.text);
    assert.equal(metric(samples, "http_request_duration_seconds_count", { route: "graphql" }), graphqlRequests);

    // Shut down with a request in flight on one worker.
    const body = JSON.stringify({ query: HOME });
    const held = http.request(`${base}/graphql`, { method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": String(body.length), expect: "100-continue" } });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      held.on("response", (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      held.on("error", reject);
    });
    held.flushHeaders();
    await new Promise<void>((resolve) => held.on("continue", () => resolve()));
    server.child.kill("SIGTERM");
    await server.waitFor(/asking 2 workers to shut down/);
    await server.waitFor(/worker \d+: listener closed; waiting for 1 requests in flight/);
    await server.waitFor(/worker \d+: stopped cleanly/);
    held.end(body);
    const last = await response;
    assert.equal(last.status, 200, last.text);
    assert.equal(await server.exited, 0);
    assert.match(server.output(), /all workers stopped cleanly/);
    assert.equal(server.output().match(/worker \d+: stopped cleanly/g)?.length, 2);
    assert.equal(fs.existsSync(serverPidFile(dbFile)), false);
    await assert.rejects(request(base, "/healthz"), /ECONNREFUSED/);
  });
});
