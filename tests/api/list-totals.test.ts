import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { startTestServer, type GraphQLResponse, type TestServer } from "../support/server";

interface ListNode {
  slug: string;
  tags?: { slug: string }[];
}

/**
 * Every page of one parent's 23-article list, 10 at a time, each showing 23 as its totalCount
 * and as the count loader's articleCount; the nodes in order.
 */
async function everyPage(server: TestServer, parent: "tag" | "author", slug: string, nodeFields: string): Promise<ListNode[]> {
  const document = `query($slug: String!, $after: String) { ${parent}(slug: $slug) {
    articleCount articles(first: 10, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { ${nodeFields} } } } }`;
  let cursor: string | null = null;
  const seen: ListNode[] = [];
  for (;;) {
    const res: GraphQLResponse = await server.gql(document, { slug, after: cursor });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    const { articleCount, articles } = res.body.data[parent];
    assert.equal(articles.totalCount, 23);
    assert.equal(articleCount, 23, "the count loader agrees");
    seen.push(...articles.nodes);
    if (!articles.pageInfo.hasNextPage) return seen;
    cursor = articles.pageInfo.endCursor;
  }
}

/** The page after a 23-article list's third page of 10: no rows, so nothing carries the count. */
async function pastTheEnd(server: TestServer, parent: "tag" | "author", slug: string): Promise<{ nodes: unknown[]; totalCount: number }> {
  const document = `query($slug: String!, $after: String) { ${parent}(slug: $slug) {
    articles(first: 10, after: $after) { totalCount pageInfo { endCursor } nodes { slug } } } }`;
  let cursor: string | null = null;
  for (let page = 0; page < 3; page++) {
    const res: GraphQLResponse = await server.gql(document, { slug, after: cursor });
    cursor = res.body.data[parent].articles.pageInfo.endCursor;
  }
  const past = await server.gql(document, { slug, after: cursor });
  assert.equal(past.body.errors, undefined, JSON.stringify(past.body.errors));
  const { nodes, totalCount } = past.body.data[parent].articles;
  return { nodes, totalCount };
}

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
    assert.equal(first.statements, 1, "the tag with its page and its count (owner-page.test.ts)");

    const seen = await everyPage(server, "tag", "ekonomi", "slug");
    assert.equal(new Set(seen.map((n) => n.slug)).size, 23);
  });

  it("a page past the end, which has no row to carry the count, still counts", async () => {
    assert.deepEqual(await pastTheEnd(server, "tag", "ekonomi"), { nodes: [], totalCount: 23 });
  });
});

/**
 * A reader's author page: one author's page read as a top-N in index order, with its tag chips
 * and, when shown, its count in the same statement; the same articles as the window that serves
 * several authors at once.
 */
describe("an author page comes with its tags and its totalCount", () => {
  let server: TestServer;
  const tagOf = new Map<string, string>();
  before(async () => {
    server = await startTestServer();
    const ds = server.dataSource;
    const ana = await makeAuthor(ds, { slug: "ana", name: "Ana" });
    const budi = await makeAuthor(ds, { slug: "budi", name: "Budi" });
    const tags = [await makeTag(ds, { slug: "ekonomi", name: "Ekonomi" }), await makeTag(ds, { slug: "politik", name: "Politik" })];
    for (let i = 0; i < 23; i++) {
      const article = await makeArticle(ds, { author: ana, tags: [tags[i % 2]] });
      tagOf.set(article.slug, tags[i % 2].slug);
    }
    for (let i = 0; i < 4; i++) await makeArticle(ds, { author: budi, tags: [tags[0]] });
    // None of these counts for the public.
    await makeArticle(ds, { author: ana, status: "draft", publishedAt: null });
    await makeArticle(ds, { author: ana, publishedAt: new Date(Date.now() + 86_400_000) });
    await makeArticle(ds, { author: ana, deletedAt: new Date(Date.now() - 1_000) });
  });
  after(() => server.close());

  it("reads the author with its page, its tags and its count in one statement", async () => {
    const first = await server.gql(`query($slug: String!) { author(slug: $slug) { name articles(first: 10) { totalCount nodes { slug tags { slug } } } } }`, { slug: "ana" });
    assert.equal(first.body.errors, undefined, JSON.stringify(first.body.errors));
    assert.equal(first.body.data.author.articles.totalCount, 23);
    assert.equal(first.statements, 1, "the author with its page, tags and count (owner-page.test.ts)");

    const nodes = await everyPage(server, "author", "ana", "slug tags { slug }");
    for (const node of nodes) assert.deepEqual(node.tags, [{ slug: tagOf.get(node.slug) }], node.slug);
    const seen = nodes.map((n) => n.slug);
    assert.equal(new Set(seen).size, 23);

    // Several authors at once take the window, one page each: the same first page.
    const both = await server.gql(`{ authors(first: 10) { nodes { slug articles(first: 10) { totalCount nodes { slug } } } } }`);
    assert.equal(both.body.errors, undefined, JSON.stringify(both.body.errors));
    const ana = both.body.data.authors.nodes.find((n: { slug: string }) => n.slug === "ana");
    const budi = both.body.data.authors.nodes.find((n: { slug: string }) => n.slug === "budi");
    assert.deepEqual(ana.articles.nodes.map((n: { slug: string }) => n.slug), seen.slice(0, 10));
    assert.equal(ana.articles.totalCount, 23);
    assert.equal(budi.articles.totalCount, 4);
  });

  it("a page past the end still counts", async () => {
    assert.deepEqual(await pastTheEnd(server, "author", "ana"), { nodes: [], totalCount: 23 });
  });
});
