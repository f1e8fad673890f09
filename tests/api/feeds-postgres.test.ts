import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Client } from "pg";
import { projectRoot } from "../../src/config";
import { importPages } from "../../src/import/importer";
import { parseFeed, parseSitemap, SITE, sitePath } from "../support/feeds";
import { startTestServer, type TestServer } from "../support/server";

/** The feeds' dialect branch (months of a timestamptz) and reads on PostgreSQL; skipped where none answers. */
const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function reachable(): Promise<boolean> {
  const client = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

describe("feeds and sitemaps on PostgreSQL", async () => {
  const available = await reachable();
  const skip = !available && "no PostgreSQL at 127.0.0.1:5432";
  const database = `content_test_${randomBytes(6).toString("hex")}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  let server: TestServer;

  before(async () => {
    if (!available) return;
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    server = await startTestServer({ databaseUrl: url.toString(), env: { PUBLIC_SITE_URL: SITE } });
    const report = await importPages(server.dataSource, [path.join(projectRoot, "seeds")]);
    assert.equal(report.failed.length, 0, JSON.stringify(report.failed));
  });
  after(async () => {
    if (!available) return;
    await server?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  });

  it("serves RSS with the article's own offset", { skip }, async () => {
    const feed = await parseFeed(server, "/feeds/rss.xml");
    assert.equal(feed.items.length, 16);
    const sample = feed.items.find((i) => i.creator === "Arpan Rachman" && i.pubDate === "Wed, 13 Sep 2023 19:59:00 +0700");
    assert.ok(sample);
    assert.deepEqual(sample.categories, ["Internasional", "Rusia", "Korea Utara"]);
    assert.equal((await parseFeed(server, "/feeds/tag/papua/atom.xml")).items.length, 3);
  });

  it("groups the monthly sitemaps by UTC month as on SQLite", { skip }, async () => {
    const index = await parseSitemap(server, "/sitemaps/index.xml");
    const months = index.entries.map((e) => e.loc as string).filter((l) => l.includes("/articles-"));
    assert.deepEqual(months.map((l) => /articles-(\d{4}-\d{2})/.exec(l)![1]), [
      "2023-06", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-07",
    ]);
    let urls = 0;
    for (const loc of months) urls += (await parseSitemap(server, sitePath(loc))).entries.length;
    assert.equal(urls, 16);
    assert.ok((await parseSitemap(server, "/sitemaps/tags.xml")).entries.length > 10);
  });
});
