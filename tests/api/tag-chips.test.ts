import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { startTestServer, type TestServer } from "../support/server";

/**
 * A page showing its articles' tags reads them in the statement that finds the articles (one
 * JSON column a row): the home page is one statement, the article page's own tags come with
 * the article. What the chips say must be what the tag loader says: same tags, same order.
 */
describe("tag chips come with the articles that show them", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const ds = server.dataSource;
    const author = await makeAuthor(ds, { slug: "rina", name: "Rina" });
    const [politik, ekonomi, kuliner] = await Promise.all([
      makeTag(ds, { slug: "politik", name: "Politik" }),
      makeTag(ds, { slug: "ekonomi", name: "Ekonomi" }),
      // Quotes, a backslash and non-ASCII letters must survive the JSON column on both engines.
      makeTag(ds, { slug: "kuliner", name: `Kuliner "Nusantara" \\ Café – Bánh` }),
    ]);
    const base = Date.parse("2024-03-01T00:00:00Z");
    // The editor's order, not the tags' ids or names.
    await makeArticle(ds, { slug: "tiga-tag", author, tags: [kuliner, politik, ekonomi], publishedAt: new Date(base + 3_000) });
    await makeArticle(ds, { slug: "tanpa-tag", author, tags: [], publishedAt: new Date(base + 2_000) });
    await makeArticle(ds, { slug: "satu-tag", author, tags: [ekonomi], publishedAt: new Date(base + 1_000) });
  });
  after(() => server.close());

  const expected = [
    { slug: "tiga-tag", tags: ["kuliner", "politik", "ekonomi"] },
    { slug: "tanpa-tag", tags: [] },
    { slug: "satu-tag", tags: ["ekonomi"] },
  ];
  const slugsOf = (nodes: { slug: string; tags: { slug: string }[] }[]) => nodes.map((n) => ({ slug: n.slug, tags: n.tags.map((t) => t.slug) }));

  it("a home page of articles with their tags is one statement, in the editor's order", async () => {
    const res = await server.gql(`{ articles(first: 10) { nodes { slug tags { id slug name } } } }`);
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    assert.deepEqual(slugsOf(res.body.data.articles.nodes), expected);
    assert.equal(res.body.data.articles.nodes[0].tags[0].name, `Kuliner "Nusantara" \\ Café – Bánh`);
    assert.equal(res.statements, 1);
  });

  it("gives what the tag loader gives when a field wants whole tags", async () => {
    const chips = await server.gql(`{ articles(first: 10) { nodes { slug tags { id slug name } } } }`);
    const whole = await server.gql(`{ articles(first: 10) { nodes { slug tags { id slug name description } } } }`);
    assert.equal(whole.body.errors, undefined, JSON.stringify(whole.body.errors));
    assert.deepEqual(
      whole.body.data.articles.nodes.map((n: { slug: string; tags: { id: string; slug: string; name: string }[] }) => ({ slug: n.slug, tags: n.tags.map(({ id, slug, name }) => ({ id, slug, name })) })),
      chips.body.data.articles.nodes,
    );
    assert.equal(whole.statements, 2, "whole tags are the tag loader's statement");
  });

  it("an article page's tags come with the article", async () => {
    const res = await server.gql(`query($slug: String!) { article(slug: $slug) { slug tags { slug name } } }`, { slug: "tiga-tag" });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    assert.deepEqual(res.body.data.article.tags.map((t: { slug: string }) => t.slug), ["kuliner", "politik", "ekonomi"]);
    assert.equal(res.statements, 1);
  });

  it("a tag page's articles show theirs, and a nested list over many parents still does", async () => {
    const page = await server.gql(`{ tag(slug: "ekonomi") { name articles(first: 5) { nodes { slug tags { slug } } } } }`);
    assert.equal(page.body.errors, undefined, JSON.stringify(page.body.errors));
    assert.deepEqual(slugsOf(page.body.data.tag.articles.nodes), [expected[0], expected[2]]);

    const nested = await server.gql(`{ author(slug: "rina") { articles(first: 5) { nodes { slug tags { slug } } } } }`);
    assert.equal(nested.body.errors, undefined, JSON.stringify(nested.body.errors));
    assert.deepEqual(slugsOf(nested.body.data.author.articles.nodes), expected);
  });
});
