import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Article } from "../../src/entities/article.entity";
import type { Author } from "../../src/entities/author.entity";
import type { Tag } from "../../src/entities/tag.entity";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { startTestServer, type TestServer } from "../support/server";

const at = (iso: string) => new Date(iso);

describe("articles API", () => {
  let server: TestServer;
  let ana: Author;
  let budi: Author;
  let politik: Tag;
  let papua: Tag;
  let niche: Tag;
  const articles: Record<string, Article> = {};

  before(async () => {
    server = await startTestServer();
    const ds = server.dataSource;
    ana = await makeAuthor(ds, { slug: "ana-rahma", name: "Ana Rahma" });
    budi = await makeAuthor(ds, { slug: "budi-santoso", name: "Budi Santoso" });
    politik = await makeTag(ds, { slug: "politik", name: "Politik" });
    papua = await makeTag(ds, { slug: "papua", name: "Papua" });
    niche = await makeTag(ds, { slug: "sagu", name: "Sagu" });
    articles.jakarta = await makeArticle(ds, { slug: "jakarta", title: "Jakarta", author: ana, tags: [politik], publishedAt: at("2023-09-13T12:59:00Z"), timeZone: "Asia/Jakarta" });
    articles.makassar = await makeArticle(ds, { slug: "makassar", title: "Makassar", author: budi, tags: [politik, niche], publishedAt: at("2023-10-02T07:28:00Z"), timeZone: "Asia/Makassar" });
    articles.jayapura = await makeArticle(ds, { slug: "jayapura", title: "Jayapura", author: budi, tags: [papua, niche, politik], publishedAt: at("2024-01-05T01:05:00Z"), timeZone: "Asia/Jayapura" });
    articles.other = await makeArticle(ds, { slug: "other", title: "Other", author: ana, tags: [politik, papua], publishedAt: at("2024-02-01T00:00:00Z") });
    articles.picked = await makeArticle(ds, {
      slug: "picked",
      title: "Picked",
      author: ana,
      tags: [papua],
      publishedAt: at("2024-03-01T00:00:00Z"),
      related: [articles.jakarta],
    });
    articles.draft = await makeArticle(ds, { slug: "draft", title: "Draft", author: ana, tags: [politik], status: "draft", publishedAt: null });
  });
  after(() => server.close());

  it("reads an article by id and by slug with its author, tags and text fields", async () => {
    const query = `query($id: ID, $slug: String) { article(id: $id, slug: $slug) {
      id slug title lead body paragraphs excerpt(length: 40) wordCount readingTimeMinutes status publishedAt timeZone
      author { slug name } tags { slug name } featuredImage { url } } }`;
    const byId = await server.gql(query, { id: String(articles.makassar.id) });
    const bySlug = await server.gql(query, { slug: "makassar" });
    assert.deepEqual(byId.body, bySlug.body);
    const article = byId.body.data.article;
    assert.equal(article.title, "Makassar");
    assert.equal(article.author.slug, "budi-santoso");
    assert.deepEqual(article.tags.map((t: Tag) => t.slug), ["politik", "sagu"]);
    assert.equal(article.paragraphs.length, 2);
    assert.equal(article.status, "PUBLISHED");
    assert.equal(article.publishedAt, "2023-10-02T07:28:00.000Z");
    assert.equal(article.timeZone, "Asia/Makassar");
    assert.ok(article.readingTimeMinutes >= 1);
    assert.equal(article.featuredImage, null);
  });

  it("returns null for an unknown id or slug and for drafts read anonymously", async () => {
    const res = await server.gql(`{ a: article(id: "999999") { id } b: article(slug: "nope") { id } c: article(slug: "draft") { id } }`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, { a: null, b: null, c: null });
  });

  it("renders publishedAtText in each newsroom zone and on request in another", async () => {
    const res = await server.gql(`{
      j: article(slug: "jakarta") { publishedAtText }
      m: article(slug: "makassar") { publishedAtText }
      p: article(slug: "jayapura") { publishedAtText wib: publishedAtText(timeZone: "Asia/Jakarta") en: publishedAtText(locale: "en") }
    }`);
    assert.deepEqual(res.body.data, {
      j: { publishedAtText: "Rabu, 13 Sep 2023 19:59 WIB" },
      m: { publishedAtText: "Senin, 02 Okt 2023 15:28 WITA" },
      p: { publishedAtText: "Jumat, 05 Jan 2024 10:05 WIT", wib: "Jumat, 05 Jan 2024 08:05 WIB", en: "Friday, 05 Jan 2024 10:05 WIT" },
    });
    const bad = await server.gql(`{ article(slug: "jakarta") { publishedAtText(timeZone: "Mars/Olympus") } }`);
    assert.equal(bad.body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
  });

  it("lists published articles newest first with totalCount and filters", async () => {
    const list = async (filter: object) => {
      const res = await server.gql(`query($f: ArticleFilter) { articles(filter: $f) { totalCount nodes { slug } } }`, { f: filter });
      assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
      return { slugs: res.body.data.articles.nodes.map((n: Article) => n.slug), total: res.body.data.articles.totalCount };
    };
    assert.deepEqual(await list({}), { slugs: ["picked", "other", "jayapura", "makassar", "jakarta"], total: 5 });
    assert.deepEqual(await list({ tagSlugs: ["papua", "sagu"] }), { slugs: ["picked", "other", "jayapura", "makassar"], total: 4 });
    assert.deepEqual(await list({ tagSlugs: ["papua", "sagu"], tagMatch: "ALL" }), { slugs: ["jayapura"], total: 1 });
    assert.deepEqual(await list({ authorSlug: "budi-santoso" }), { slugs: ["jayapura", "makassar"], total: 2 });
    assert.deepEqual(await list({ publishedAfter: "2023-10-01T00:00:00Z", publishedBefore: "2024-02-01T00:00:00Z" }), {
      slugs: ["jayapura", "makassar"],
      total: 2,
    });
    assert.deepEqual(await list({ authorSlug: "ana-rahma", tagSlugs: ["politik"] }), { slugs: ["other", "jakarta"], total: 2 });
    const oldest = await server.gql(`{ articles(first: 2, orderBy: PUBLISHED_AT_ASC) { nodes { slug } } }`);
    assert.deepEqual(oldest.body.data.articles.nodes.map((n: Article) => n.slug), ["jakarta", "makassar"]);
  });

  it("pages forward through a list without gaps or repeats", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: any = await server.gql(
        `query($after: String) { articles(first: 2, after: $after) { edges { cursor node { slug } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
        { after },
      );
      const connection = res.body.data.articles;
      seen.push(...connection.edges.map((e: any) => e.node.slug));
      assert.equal(connection.pageInfo.hasPreviousPage, after !== null);
      assert.equal(connection.pageInfo.startCursor, connection.edges[0]?.cursor ?? null);
      pages += 1;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, ["picked", "other", "jayapura", "makassar", "jakarta"]);
  });

  it("refuses `first` over the cap and malformed cursors with BAD_USER_INPUT", async () => {
    for (const doc of [
      `{ articles(first: 101) { totalCount } }`,
      `{ articles(first: -1) { totalCount } }`,
      `{ articles(after: "not-a-cursor!") { totalCount } }`,
      `{ articles(after: "eyJ4IjoxfQ") { totalCount } }`,
      `{ authors(first: 1000) { totalCount } }`,
      `{ tag(slug: "politik") { articles(first: 500) { totalCount } } }`,
      `{ tags(after: "WyJ4IiwgInkiXQ") { totalCount } }`,
    ]) {
      const res = await server.gql(doc);
      assert.equal(res.status, 200, doc);
      assert.equal(res.body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", `${doc}: ${JSON.stringify(res.body)}`);
    }
  });

  it("orders related articles: editor picks first, then shared tags weighted by rarity, never itself", async () => {
    const res = await server.gql(`{
      picked: article(slug: "picked") { related(first: 3) { reason score article { slug author { slug } } } }
      makassar: article(slug: "makassar") { related(first: 5) { reason article { slug } } }
    }`);
    const picked = res.body.data.picked.related;
    assert.equal(picked[0].reason, "EDITOR_PICK");
    assert.equal(picked[0].article.slug, "jakarta");
    assert.equal(picked[0].article.author.slug, "ana-rahma");
    assert.deepEqual(picked.slice(1).map((r: any) => [r.reason, r.article.slug]), [
      ["SHARED_TAGS", "other"],
      ["SHARED_TAGS", "jayapura"],
    ]);
    // jayapura shares the rare "sagu" and "politik"; the others share only the common "politik".
    const makassar = res.body.data.makassar.related.map((r: any) => r.article.slug);
    assert.equal(makassar[0], "jayapura");
    assert.ok(!makassar.includes("makassar"));
    assert.ok(!makassar.includes("draft"), "drafts are never related for anonymous readers");
    assert.deepEqual(makassar.slice(1), ["other", "jakarta"]);
  });

  it("ranks an article's related links alike on its own page and in a list of many", async () => {
    const fields = `related(first: 3) { reason score article { slug } }`;
    const list = await server.gql(`{ articles(first: 20) { nodes { slug ${fields} } } }`);
    assert.equal(list.body.errors, undefined, JSON.stringify(list.body.errors));
    assert.equal(list.body.data.articles.nodes.length, 5);
    for (const node of list.body.data.articles.nodes) {
      // One source alone takes the single-article statement (a top-N sort), a list the windowed one.
      const page = await server.gql(`query($slug: String!) { article(slug: $slug) { ${fields} } }`, { slug: node.slug });
      assert.deepEqual(page.body.data.article.related, node.related, node.slug);
    }
  });

  it("serves authors and tags with nested article connections and counts", async () => {
    const res = await server.gql(`{
      author(slug: "ana-rahma") { name articleCount articles(first: 1) { totalCount nodes { slug } pageInfo { hasNextPage } } }
      tag(slug: "politik") { name articleCount articles { totalCount nodes { slug } } }
      tags(orderBy: ARTICLE_COUNT_DESC) { totalCount nodes { slug articleCount } }
      authors { nodes { slug articleCount } }
    }`);
    const data = res.body.data;
    assert.deepEqual(data.author, { name: "Ana Rahma", articleCount: 3, articles: { totalCount: 3, nodes: [{ slug: "picked" }], pageInfo: { hasNextPage: true } } });
    assert.deepEqual(data.tag, {
      name: "Politik",
      articleCount: 4,
      articles: { totalCount: 4, nodes: ["other", "jayapura", "makassar", "jakarta"].map((slug) => ({ slug })) },
    });
    assert.deepEqual(data.tags.nodes, [
      { slug: "politik", articleCount: 4 },
      { slug: "papua", articleCount: 3 },
      { slug: "sagu", articleCount: 2 },
    ]);
    assert.equal(data.tags.totalCount, 3);
    assert.deepEqual(data.authors.nodes, [
      { slug: "ana-rahma", articleCount: 3 },
      { slug: "budi-santoso", articleCount: 2 },
    ]);
  });

  it("pages tags ordered by article count through cursors", async () => {
    const first = await server.gql(`{ tags(first: 2, orderBy: ARTICLE_COUNT_DESC) { nodes { slug } pageInfo { endCursor hasNextPage } } }`);
    assert.deepEqual(first.body.data.tags.nodes.map((t: Tag) => t.slug), ["politik", "papua"]);
    const next = await server.gql(`query($a: String) { tags(first: 2, after: $a, orderBy: ARTICLE_COUNT_DESC) { nodes { slug } pageInfo { hasNextPage } } }`, {
      a: first.body.data.tags.pageInfo.endCursor,
    });
    assert.deepEqual(next.body.data.tags, { nodes: [{ slug: "sagu" }], pageInfo: { hasNextPage: false } });
  });

  it("carries x-sql-statements and serves health endpoints", async () => {
    const res = await server.gql(`{ articles(first: 1) { nodes { id } } }`);
    assert.equal(res.statements, 1);
    const base = server.url.replace(/\/graphql$/, "");
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ready" });
  });
  it("lists read bodies only as far as their fields need, with the same answers as full reads", async () => {
    // An empty lead makes the excerpt fall back to the body: the one case a list needs it for.
    await server.dataSource.query(`UPDATE articles SET lead = '' WHERE slug = 'makassar'`);
    try {
      const full = `{ articles(first: 10) { nodes { slug excerpt(length: 30) body paragraphs wordCount } } }`;
      const lean = `{ articles(first: 10) { nodes { slug excerpt(length: 30) } } }`;
      const withBody = (await server.gql(full)).body.data.articles.nodes;
      const excerpts = (await server.gql(lean)).body.data.articles.nodes;
      assert.deepEqual(excerpts, withBody.map((a: { slug: string; excerpt: string }) => ({ slug: a.slug, excerpt: a.excerpt })));
      const makassar = withBody.find((a: { slug: string }) => a.slug === "makassar");
      assert.ok(makassar.excerpt.startsWith("Paragraf pertama"), makassar.excerpt);
      const related = (await server.gql(`{ article(slug: "picked") { related(first: 3) { article { slug paragraphs } } } }`)).body.data.article.related;
      assert.ok(related.length > 0 && related.every((r: { article: { paragraphs: string[] } }) => r.article.paragraphs.length === 2));
    } finally {
      await server.dataSource.query(`UPDATE articles SET lead = 'Lead.' WHERE slug = 'makassar'`);
    }
  });
});
