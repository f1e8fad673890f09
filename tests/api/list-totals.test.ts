import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { startTestServer, type GraphQLResponse, type TestServer } from "../support/server";

interface TagPage {
  tag: { articleCount: number; articles: { totalCount: number; pageInfo: { endCursor: string | null; hasNextPage: boolean }; nodes: { slug: string }[] } };
}

const TAG_PAGE = `query($slug: String!, $after: String) { tag(slug: $slug) {
  articleCount articles(first: 10, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { slug } } } }`;

/**
 * A reader's tag page that shows its total counts in the statement that reads the page. The
 * count must be the one the count loader gives: live articles only, whatever page is asked.
 */
describe("a tag page's totalCount comes with its page", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const ds = server.dataSource;
    const author = await makeAuthor(ds);
    const tag = await makeTag(ds, { slug: "ekonomi", name: "Ekonomi" });
    for (let i = 0; i < 23; i++) await makeArticle(ds, { author, tags: [tag] });
    // Neither counts for the public.
    await makeArticle(ds, { author, tags: [tag], status: "draft", publishedAt: null });
    await makeArticle(ds, { author, tags: [tag], publishedAt: new Date(Date.now() + 86_400_000) });
  });
  after(() => server.close());

  it("counts live articles in the page's own statement, on every page", async () => {
    const first = await server.gql(`query($slug: String!) { tag(slug: $slug) { articles(first: 10) { totalCount nodes { slug } } } }`, { slug: "ekonomi" });
    assert.equal(first.body.errors, undefined, JSON.stringify(first.body.errors));
    assert.equal(first.body.data.tag.articles.totalCount, 23);
    assert.equal(first.body.data.tag.articles.nodes.length, 10);
    assert.equal(first.statements, 2, "the tag, then its page with its count");

    let cursor: string | null = null;
    const seen: string[] = [];
    for (;;) {
      const res: GraphQLResponse<TagPage> = await server.gql<TagPage>(TAG_PAGE, { slug: "ekonomi", after: cursor });
      assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
      const { articleCount, articles } = res.body.data!.tag;
      assert.equal(articles.totalCount, 23);
      assert.equal(articleCount, 23, "the count loader agrees");
      seen.push(...articles.nodes.map((n) => n.slug));
      if (!articles.pageInfo.hasNextPage) break;
      cursor = articles.pageInfo.endCursor;
    }
    assert.equal(new Set(seen).size, 23);
  });

  it("a page past the end, which has no row to carry the count, still counts", async () => {
    let cursor: string | null = null;
    for (let page = 0; page < 3; page++) {
      const res: GraphQLResponse<TagPage> = await server.gql<TagPage>(TAG_PAGE, { slug: "ekonomi", after: cursor });
      cursor = res.body.data!.tag.articles.pageInfo.endCursor;
    }
    const past = await server.gql(`query($slug: String!, $after: String) { tag(slug: $slug) { articles(first: 10, after: $after) { totalCount nodes { slug } } } }`, {
      slug: "ekonomi",
      after: cursor,
    });
    assert.equal(past.body.errors, undefined, JSON.stringify(past.body.errors));
    assert.deepEqual(past.body.data.tag.articles.nodes, []);
    assert.equal(past.body.data.tag.articles.totalCount, 23);
  });
});
