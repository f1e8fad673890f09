import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../support/server";
import { SAMPLE_TITLE, runSeedReport, samplePage, tempDbFile, tempDir, writePage } from "../support/seed-cli";

const ARTICLE = `query ($slug: String!) { article(slug: $slug) {
  title lead publishedAt publishedAtText timeZone paragraphs featuredImage { caption } author { name }
} }`;

describe("seed command: zones, line endings and byte-order marks", () => {
  const dbFile = tempDbFile("variants");
  const dir = tempDir("variants");
  let server: TestServer;
  let reference: any;

  before(async () => {
    writePage(dir, "reference.txt", samplePage());
    writePage(dir, "wita.txt", samplePage({ title: "Berita dari Makassar", date: "Kamis, 14 Sep 2023 08:15 WITA", author: "Andi Mappanyukki" }));
    writePage(dir, "wit.txt", samplePage({ title: "Berita dari Jayapura", date: "Jumat, 15 Sep 2023 07:05 WIT" }));
    writePage(dir, "crlf.txt", samplePage({ title: "Berita dengan CRLF" }).replace(/\n/g, "\r\n"));
    writePage(dir, "bom.txt", `\uFEFF${samplePage({ title: "Berita dengan BOM" })}`);
    writePage(dir, "bom-crlf-spaces.txt", `\uFEFF${samplePage({ title: "Berita dengan semuanya" }).replace(/\n/g, "   \r\n")}`);
    const run = await runSeedReport(dbFile, [dir]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.report.created, 6);
    assert.deepEqual(run.report.failed, []);
    server = await startTestServer({ dbFile });
    reference = (await server.gql(ARTICLE, { slug: "bertemu-di-pangkalan-antariksa-rusia-kim-jong-un-dan-vladimir-putin-bicarakan" })).body.data.article;
  });

  test("a WITA byline is stored as UTC and shown in WITA", async () => {
    const article = (await server.gql(ARTICLE, { slug: "berita-dari-makassar" })).body.data.article;
    assert.equal(article.publishedAt, "2023-09-14T00:15:00.000Z");
    assert.equal(article.timeZone, "Asia/Makassar");
    assert.equal(article.publishedAtText, "Kamis, 14 Sep 2023 08:15 WITA");
    assert.equal(article.author.name, "Andi Mappanyukki");
    assert.equal(article.featuredImage, null, "no image URL without a sidecar");
  });

  test("a WIT byline is stored as UTC and shown in WIT", async () => {
    const article = (await server.gql(ARTICLE, { slug: "berita-dari-jayapura" })).body.data.article;
    assert.equal(article.publishedAt, "2023-09-14T22:05:00.000Z");
    assert.equal(article.timeZone, "Asia/Jayapura");
    assert.equal(article.publishedAtText, "Jumat, 15 Sep 2023 07:05 WIT");
  });

  test("CRLF, BOM and trailing spaces give the same article as the plain file", async () => {
    for (const [slug, title] of [
      ["berita-dengan-crlf", "Berita dengan CRLF"],
      ["berita-dengan-bom", "Berita dengan BOM"],
      ["berita-dengan-semuanya", "Berita dengan semuanya"],
    ]) {
      const article = (await server.gql(ARTICLE, { slug })).body.data.article;
      assert.ok(article, slug);
      assert.equal(article.title, title);
      assert.equal(article.lead, reference.lead);
      assert.equal(article.publishedAt, "2023-09-13T12:59:00.000Z");
      assert.deepEqual(article.paragraphs, reference.paragraphs);
      assert.equal(article.featuredImage, null);
      assert.ok(!article.paragraphs.some((p: string) => /[\r\uFEFF]|\s$/.test(p)), `${slug}: no CR, BOM or trailing space kept`);
    }
    assert.equal(reference.title, SAMPLE_TITLE);
  });

  test("all pages share one author row per name", async () => {
    const res = await server.gql(`{ authors(first: 10) { nodes { name articleCount } } }`);
    const byName = Object.fromEntries(res.body.data.authors.nodes.map((a: any) => [a.name, a.articleCount]));
    assert.deepEqual(byName, { "Arpan Rachman": 5, "Andi Mappanyukki": 1 });
  });

  after(async () => {
    await server?.close();
  });
});
