import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { projectRoot } from "../../src/config";
import { importPages } from "../../src/import/importer";
import { createPostgresDatabase, dropDatabase, postgresAnswers } from "../support/database";
import { parseFeed, parseSitemap, SITE, sitePath } from "../support/feeds";
import { startTestServer, type TestServer } from "../support/server";

/** The feeds' dialect branch (months of a timestamptz) and reads on PostgreSQL; skipped where none answers. */
describe("feeds and sitemaps on PostgreSQL", async () => {
  const available = await postgresAnswers();
  const skip = !available && "no PostgreSQL at 127.0.0.1:5432";
  let url = "";
  let server: TestServer;

  before(async () => {
    if (!available) return;
    url = await createPostgresDatabase("feeds");
    server = await startTestServer({ databaseUrl: url, env: { PUBLIC_SITE_URL: SITE } });
    const report = await importPages(server.dataSource, [path.join(projectRoot, "seeds")]);
    assert.equal(report.failed.length, 0, JSON.stringify(report.failed));
  });
  after(async () => {
    if (!available) return;
    await server?.close();
    await dropDatabase(url);
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
