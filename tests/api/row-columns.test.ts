import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { startTestServer, type TestServer } from "../support/server";

/**
 * List statements leave out the columns no field of the operation reads (status, timestamps,
 * word count, bios, descriptions). Whatever an operation does select must still come back, from
 * the list itself or from an entity a list row primed.
 */
describe("list statements read the columns the operation needs", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const author = await makeAuthor(server.dataSource, { slug: "dewi", name: "Dewi Lestari", bio: "Wartawan ekonomi.", avatarUrl: "https://img.example.id/dewi.jpg" });
    const tag = await makeTag(server.dataSource, { slug: "ekonomi", name: "Ekonomi", description: "Berita ekonomi dan bisnis." });
    await makeArticle(server.dataSource, { slug: "harga-beras", author, tags: [tag], body: "Satu dua tiga empat lima.\n\nEnam tujuh." });
  });
  after(() => server.close());

  it("a page of titles gets its titles, and a page asking for more gets every extra field", async () => {
    const slim = await server.gql(`{ articles(first: 5) { nodes { slug author { name } tags { name } } } }`);
    assert.deepEqual(slim.body.data.articles.nodes, [{ slug: "harga-beras", author: { name: "Dewi Lestari" }, tags: [{ name: "Ekonomi" }] }]);

    const full = await server.gql(`{ articles(first: 5) { nodes {
      slug status wordCount readingTimeMinutes createdAt updatedAt deletedAt
      author { bio avatarUrl createdAt updatedAt } tags { description createdAt updatedAt } } } }`);
    assert.equal(full.body.errors, undefined, JSON.stringify(full.body.errors));
    const [article] = full.body.data.articles.nodes;
    assert.equal(article.status, "PUBLISHED");
    assert.equal(article.wordCount, 7);
    assert.equal(article.readingTimeMinutes, 1);
    assert.match(article.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.match(article.updatedAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal(article.deletedAt, null);
    assert.equal(article.author.bio, "Wartawan ekonomi.");
    assert.equal(article.author.avatarUrl, "https://img.example.id/dewi.jpg");
    assert.match(article.author.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal(article.tags[0].description, "Berita ekonomi dan bisnis.");
    assert.match(article.tags[0].createdAt, /^\d{4}-\d\d-\d\dT/);
  });

  it("an author or tag a slim list row primed still answers its own extra fields later in the operation", async () => {
    const response = await server.gql(`{
      articles(first: 5) { nodes { slug author { name } tags { name } } }
      author(slug: "dewi") { bio createdAt }
      tag(slug: "ekonomi") { description }
      article(slug: "harga-beras") { wordCount author { avatarUrl } }
    }`);
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    assert.equal(response.body.data.author.bio, "Wartawan ekonomi.");
    assert.match(response.body.data.author.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal(response.body.data.tag.description, "Berita ekonomi dan bisnis.");
    assert.equal(response.body.data.article.wordCount, 7);
    assert.equal(response.body.data.article.author.avatarUrl, "https://img.example.id/dewi.jpg");
  });
});
