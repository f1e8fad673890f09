import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Article } from "../../src/entities/article.entity";
import type { Author } from "../../src/entities/author.entity";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { bearer, Role } from "../support/editorial";
import { startTestServer, type TestServer } from "../support/server";
import { writeTransaction } from "../../src/db/write-lock";
import { reindexArticles } from "../../src/search/search-index";

/**
 * The visibility matrix: every read path × every article state × every kind of viewer,
 * generated from one expectation function. The contributor's token is bound to "own";
 * "other" articles belong to somebody else.
 */
type Viewer = "anonymous" | "contributor" | "editor";
type Owner = "own" | "other";
type State = "draft" | "scheduled" | "published" | "deleted";
type Path = "byId" | "bySlug" | "articles" | "articlesAllStatuses" | "authorArticles" | "tagArticles" | "related" | "search" | "searchUnfiltered";

const VIEWERS: Viewer[] = ["anonymous", "contributor", "editor"];
const OWNERS: Owner[] = ["own", "other"];
const STATES: State[] = ["draft", "scheduled", "published", "deleted"];
const PATHS: Path[] = ["byId", "bySlug", "articles", "articlesAllStatuses", "authorArticles", "tagArticles", "related", "search", "searchUnfiltered"];
/** Paths where a viewer asks for one article directly or asks for deleted ones by status. */
const DIRECT: Path[] = ["byId", "bySlug", "articlesAllStatuses"];

function visible(viewer: Viewer, owner: Owner, state: State, path: Path): boolean {
  if (state === "published") return true;
  if (viewer === "anonymous") return false;
  const mayPreview = viewer === "editor" || owner === "own";
  // Deleted articles leave every list; they can still be opened (to restore them) by those who may preview them.
  if (state === "deleted") return mayPreview && DIRECT.includes(path);
  return mayPreview;
}

const HOUR = 3_600_000;
const ALL_STATUSES = "[DRAFT, SCHEDULED, PUBLISHED, DELETED]";

describe("visibility matrix: every read path × draft/scheduled/published/deleted × anonymous/contributor/editor", () => {
  let server: TestServer;
  let root: Article;
  const authors = {} as Record<Owner, Author>;
  const articles: { owner: Owner; state: State; article: Article }[] = [];
  const headers: Record<Viewer, Record<string, string>> = { anonymous: {}, contributor: {}, editor: {} };

  before(async () => {
    server = await startTestServer();
    const now = Date.now();
    authors.own = await makeAuthor(server.dataSource, { slug: "matrix-own" });
    authors.other = await makeAuthor(server.dataSource, { slug: "matrix-other" });
    const tag = await makeTag(server.dataSource, { slug: "matrix" });
    const columns: Record<State, Partial<Article>> = {
      draft: { status: "draft", publishedAt: null },
      scheduled: { status: "published", publishedAt: new Date(now + HOUR) },
      published: { status: "published", publishedAt: new Date(now - HOUR) },
      deleted: { status: "published", publishedAt: new Date(now - 2 * HOUR), deletedAt: new Date(now - HOUR) },
    };
    for (const owner of OWNERS) {
      for (const state of STATES) {
        const article = await makeArticle(server.dataSource, { author: authors[owner], tags: [tag], slug: `${owner}-${state}`, ...columns[state] });
        articles.push({ owner, state, article });
      }
    }
    // Factories write rows directly; index them the way every writer does, inside a write transaction.
    await writeTransaction(server.dataSource, (manager) => reindexArticles(manager, articles.map((a) => a.article.id)));
    root = await makeArticle(server.dataSource, { slug: "root", publishedAt: new Date(now - 3 * HOUR), related: articles.map((a) => a.article) });
    headers.contributor = (await bearer(server, Role.CONTRIBUTOR, authors.own.slug)).headers;
    headers.editor = (await bearer(server, Role.EDITOR)).headers;
  });
  after(() => server.close());

  /** The ids a viewer gets through one path, and the counts that path reports. */
  async function read(viewer: Viewer, path: Path): Promise<{ ids: Set<number>; counts: Record<string, number> }> {
    const ask = async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await server.gql(query, variables, headers[viewer]);
      assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
      return response.body.data;
    };
    const ids = new Set<number>();
    const counts: Record<string, number> = {};
    const add = (nodes: { id: string }[]) => nodes.forEach((n) => ids.add(Number(n.id)));
    switch (path) {
      case "byId":
      case "bySlug":
        for (const { article } of articles) {
          const data = await ask(`query ($id: ID, $slug: String) { article(id: $id, slug: $slug) { id } }`, path === "byId" ? { id: String(article.id) } : { slug: article.slug });
          if (data.article) add([data.article]);
        }
        break;
      case "articles":
      case "articlesAllStatuses": {
        const statuses = path === "articlesAllStatuses" ? `, statuses: ${ALL_STATUSES}` : "";
        const data = await ask(`{ articles(first: 100, filter: { tagSlugs: ["matrix"]${statuses} }) { nodes { id } totalCount } }`);
        add(data.articles.nodes);
        counts.totalCount = data.articles.totalCount;
        break;
      }
      case "authorArticles":
        for (const owner of OWNERS) {
          const data = await ask(`query ($slug: String) { author(slug: $slug) { articleCount articles(first: 100) { nodes { id } totalCount } } }`, { slug: authors[owner].slug });
          add(data.author.articles.nodes);
          counts[`${owner}.articleCount`] = data.author.articleCount;
          counts[`${owner}.totalCount`] = data.author.articles.totalCount;
        }
        break;
      case "tagArticles": {
        const data = await ask(`{ tag(slug: "matrix") { articleCount articles(first: 100) { nodes { id } totalCount } } }`);
        add(data.tag.articles.nodes);
        counts.articleCount = data.tag.articleCount;
        counts.totalCount = data.tag.articles.totalCount;
        break;
      }
      case "search": {
        const data = await ask(`{ search(query: "paragraf", first: 100, filter: { tagSlugs: ["matrix"] }) { nodes { article { id } } totalCount } }`);
        add(data.search.nodes.map((n: { article: { id: string } }) => n.article));
        counts.totalCount = data.search.totalCount;
        break;
      }
      case "searchUnfiltered": {
        // Without a filter the public's search checks visibility on the index row (live_at on
        // PostgreSQL), previewers' on the article; both orders, as they page differently. Only
        // the matrix articles are indexed, so the counts are theirs.
        const data = await ask(`{
          relevance: search(query: "paragraf", first: 100) { nodes { article { id } } totalCount }
          newest: search(query: "paragraf", first: 100, orderBy: NEWEST) { nodes { article { id } } totalCount } }`);
        add(data.relevance.nodes.map((n: { article: { id: string } }) => n.article));
        add(data.newest.nodes.map((n: { article: { id: string } }) => n.article));
        counts.totalCount = data.relevance.totalCount;
        counts.newestTotalCount = data.newest.totalCount;
        break;
      }
      case "related": {
        const data = await ask(`query ($id: ID) { article(id: $id) { related(first: 20) { article { id } reason } } }`, { id: String(root.id) });
        add(data.article.related.map((r: { article: { id: string } }) => r.article));
        break;
      }
    }
    return { ids, counts };
  }

  function expectedCounts(viewer: Viewer, path: Path): Record<string, number> {
    const count = (owners: Owner[]) => articles.filter((a) => owners.includes(a.owner) && visible(viewer, a.owner, a.state, path)).length;
    switch (path) {
      case "articles":
      case "articlesAllStatuses":
      case "search":
        return { totalCount: count(OWNERS) };
      case "searchUnfiltered":
        return { totalCount: count(OWNERS), newestTotalCount: count(OWNERS) };
      case "authorArticles":
        return Object.fromEntries(OWNERS.flatMap((o) => [[`${o}.articleCount`, count([o])], [`${o}.totalCount`, count([o])]]));
      case "tagArticles":
        return { articleCount: count(OWNERS), totalCount: count(OWNERS) };
      default:
        return {};
    }
  }

  for (const viewer of VIEWERS) {
    for (const path of PATHS) {
      it(`${viewer} via ${path}`, async () => {
        const { ids, counts } = await read(viewer, path);
        const seen: Record<string, boolean> = {};
        const wanted: Record<string, boolean> = {};
        for (const { owner, state, article } of articles) {
          seen[`${owner} ${state}`] = ids.has(article.id);
          wanted[`${owner} ${state}`] = visible(viewer, owner, state, path);
        }
        assert.deepEqual(seen, wanted);
        assert.deepEqual(counts, expectedCounts(viewer, path));
      });
    }
  }

  it("anonymous readers see a scheduled article at its instant, with no job run, and never a deleted one", async () => {
    const scheduled = articles.filter((a) => a.state === "scheduled").map((a) => a.article.id);
    const deleted = articles.filter((a) => a.state === "deleted").map((a) => a.article.id);
    const before = await server.gql(`query ($id: ID) { article(id: $id) { status } }`, { id: String(scheduled[0]) });
    assert.equal(before.body.data.article, null);

    server.clock.advance(2 * HOUR);
    const one = await server.gql(`query ($id: ID) { article(id: $id) { status } }`, { id: String(scheduled[0]) });
    assert.deepEqual(one.body.data.article, { status: "PUBLISHED" });
    for (const path of PATHS) {
      const { ids } = await read("anonymous", path);
      for (const id of scheduled) assert.ok(ids.has(id), `scheduled article ${id} appears via ${path}`);
      for (const id of deleted) assert.ok(!ids.has(id), `deleted article ${id} stays hidden via ${path}`);
    }
  });
});

describe("scheduling through publishArticle and the clock", () => {
  let server: TestServer;
  after(() => server?.close());

  it("a future `at` keeps the article hidden until the clock reaches it", async () => {
    server = await startTestServer();
    const author = await makeAuthor(server.dataSource, { slug: "penjadwal" });
    const { headers } = await bearer(server, Role.AUTHOR, author.slug);
    const draft = await makeArticle(server.dataSource, { author, status: "draft", publishedAt: null, slug: "terbit-nanti" });
    const at = new Date(server.clock.now().getTime() + 3 * HOUR);
    const scheduled = await server.gql(
      `mutation ($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { status publishedAt } }`,
      { id: String(draft.id), at: at.toISOString() },
      headers,
    );
    assert.deepEqual(scheduled.body.data.publishArticle, { status: "SCHEDULED", publishedAt: at.toISOString() });

    const publicQuery = `{ article(slug: "terbit-nanti") { status } articles(first: 5) { totalCount }
      search(query: "paragraf", first: 5) { totalCount nodes { article { slug } } } }`;
    const hidden = { article: null, articles: { totalCount: 0 }, search: { totalCount: 0, nodes: [] } };
    const shown = { article: { status: "PUBLISHED" }, articles: { totalCount: 1 }, search: { totalCount: 1, nodes: [{ article: { slug: "terbit-nanti" } }] } };
    assert.deepEqual((await server.gql(publicQuery)).body.data, hidden);
    server.clock.advance(3 * HOUR - 60_000);
    assert.deepEqual((await server.gql(publicQuery)).body.data, hidden, "a minute early");
    server.clock.advance(60_000);
    assert.deepEqual((await server.gql(publicQuery)).body.data, shown);

    // Unpublishing and deleting reach the search index in the same write (live_at on PostgreSQL).
    const unpublished = await server.gql(`mutation ($id: ID!) { unpublishArticle(id: $id) { status } }`, { id: String(draft.id) }, headers);
    assert.deepEqual(unpublished.body.data.unpublishArticle, { status: "DRAFT" });
    assert.deepEqual((await server.gql(publicQuery)).body.data, hidden, "unpublished");
    await server.gql(`mutation ($id: ID!) { publishArticle(id: $id) { status } }`, { id: String(draft.id) }, headers);
    assert.deepEqual((await server.gql(publicQuery)).body.data, shown, "published again");
    const deleted = await server.gql(`mutation ($id: ID!) { deleteArticle(id: $id) { id } }`, { id: String(draft.id) }, headers);
    assert.equal(deleted.body.errors, undefined, JSON.stringify(deleted.body.errors));
    assert.deepEqual((await server.gql(publicQuery)).body.data, hidden, "deleted");
  });
});
