import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig, projectRoot } from "../../src/config";
import { openPostgresReadPool } from "../../src/db/read-pool.postgres";
import { importPages } from "../../src/import/importer";
import { onlyOn } from "../support/database";
import { bearer, Role } from "../support/editorial";
import { startTestServer, type TestServer } from "../support/server";

/**
 * A smoke test of the sample archive on PostgreSQL: migrations, the importer, the batched
 * reads with their dialect branches (related pool via LATERAL, triggers in plpgsql) and a
 * write. The whole suite runs on PostgreSQL in `npm test`'s PostgreSQL pass; this file is that
 * pass's quick check of the seeds, and is skipped on the SQLite pass.
 */
const SAMPLE_SLUG = "bertemu-di-pangkalan-antariksa-rusia-kim-jong-un-dan-vladimir-putin-bicarakan";

describe("the sample archive on PostgreSQL (PostgreSQL)", onlyOn("postgres"), () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    const report = await importPages(server.dataSource, [path.join(projectRoot, "seeds")]);
    assert.equal(report.failed.length, 0, JSON.stringify(report.failed));
  });
  after(async () => {
    await server?.close();
  });

  it("serves the sample article with its author, date text, tags and related", async () => {
    const res = await server.gql(`query($slug: String!) { article(slug: $slug) {
      title publishedAt publishedAtText author { name } tags { slug } paragraphs related(first: 3) { reason article { slug } } } }`, { slug: SAMPLE_SLUG });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    const article = res.body.data.article;
    assert.equal(article.publishedAt, "2023-09-13T12:59:00.000Z");
    assert.equal(article.publishedAtText, "Rabu, 13 Sep 2023 19:59 WIB");
    assert.equal(article.author.name, "Arpan Rachman");
    assert.equal(article.paragraphs.length, 27);
    assert.ok(article.tags.length > 0);
    assert.ok(article.related.length > 0);
  });

  it("pages lists and tag pages with counts, batched as on SQLite", async () => {
    const first = await server.gql(`{ articles(first: 5) { totalCount pageInfo { endCursor } nodes { slug author { name } tags { slug } } } }`);
    assert.equal(first.body.errors, undefined, JSON.stringify(first.body.errors));
    assert.equal(first.body.data.articles.totalCount, 16, "17 pages, one of them a draft");
    const next = await server.gql(`query($a: String) { articles(first: 20, after: $a) { nodes { slug } } }`, { a: first.body.data.articles.pageInfo.endCursor });
    const seen = [...first.body.data.articles.nodes, ...next.body.data.articles.nodes].map((n: { slug: string }) => n.slug);
    assert.equal(new Set(seen).size, 16);
    const tags = await server.gql(`{ tags(first: 3, orderBy: ARTICLE_COUNT_DESC) { nodes { slug articleCount articles(first: 2) { totalCount nodes { slug } } } } }`);
    assert.equal(tags.body.errors, undefined, JSON.stringify(tags.body.errors));
    for (const tag of tags.body.data.tags.nodes) assert.equal(tag.articleCount, tag.articles.totalCount);
    assert.ok(tags.statements <= 5, `statements: ${tags.statements}`);
  });

  it("writes through the services: create, publish, then read it publicly", async () => {
    const editor = (await bearer(server, Role.EDITOR)).headers;
    const created = await server.gql(
      `mutation { createArticle(input: { title: "Uji PostgreSQL", lead: "Lead.", body: "Satu.\\n\\nDua.", authorSlug: "arpan-rachman", tagSlugs: ["rusia"] }) { id slug } }`,
      {},
      editor,
    );
    assert.equal(created.body.errors, undefined, JSON.stringify(created.body.errors));
    const { id, slug } = created.body.data.createArticle;
    const published = await server.gql(`mutation($id: ID!) { publishArticle(id: $id) { status } }`, { id }, editor);
    assert.deepEqual(published.body.data, { publishArticle: { status: "PUBLISHED" } });
    const read = await server.gql(`query($slug: String!) { article(slug: $slug) { paragraphs tags { slug } } }`, { slug });
    assert.deepEqual(read.body.data.article, { paragraphs: ["Satu.", "Dua."], tags: [{ slug: "rusia" }] });
  });

  it("opens its connections with JIT off, the writer's and the read pool's", async () => {
    const [writer] = await server.dataSource.query("SHOW jit");
    assert.equal(writer.jit, "off");
    const reads = await openPostgresReadPool(server.dbFile, loadConfig({ DATABASE_URL: server.dbFile }).reads);
    try {
      const [reader] = await reads.query<{ jit: string }>("SHOW jit");
      assert.equal(reader.jit, "off");
    } finally {
      await reads.close();
    }
  });
});
