import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { bearer, Role } from "../support/editorial";
import { startTestServer, type TestServer } from "../support/server";

const PAGE = `query Page($slug: String!) { article(slug: $slug) { title status author { name } tags { name } related(first: 3) { article { slug } } } }`;
const HOME = `{ articles(first: 50) { totalCount nodes { slug title } } }`;

describe("response cache, ETags and persisted queries", () => {
  let server: TestServer;
  let editor: Record<string, string>;
  let articleId: string;
  let otherId: string;
  let authorId: string;
  let tagId: string;

  before(async () => {
    server = await startTestServer();
    const ds = server.dataSource;
    const author = await makeAuthor(ds, { slug: "wartawan", name: "Wartawan Satu" });
    const tag = await makeTag(ds, { slug: "ekonomi", name: "Ekonomi" });
    const article = await makeArticle(ds, { slug: "harga-beras", title: "Harga beras naik", author, tags: [tag] });
    const other = await makeArticle(ds, { slug: "harga-cabai", title: "Harga cabai turun", author });
    await makeArticle(ds, { slug: "rahasia", title: "Draft rahasia", author, status: "draft", publishedAt: null });
    articleId = String(article.id);
    otherId = String(other.id);
    authorId = String(author.id);
    tagId = String(tag.id);
    editor = (await bearer(server, Role.EDITOR)).headers;
  });
  after(() => server.close());

  /** Reads as the public twice; the second read must come from the cache (no SQL, an Age header). */
  async function publicRead(query: string, variables?: Record<string, unknown>) {
    const first = await server.gql(query, variables);
    const second = await server.gql(query, variables);
    assert.deepEqual(second.body, first.body);
    assert.equal(second.statements, 0, "second identical anonymous read is served from the cache");
    assert.ok(second.headers.get("age") !== null);
    return first;
  }

  async function asEditor(query: string, variables?: Record<string, unknown>) {
    const res = await server.gql(query, variables, editor);
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    return res;
  }

  it("marks anonymous reads public and token holders' reads no-store", async () => {
    const anonymous = await server.gql(PAGE, { slug: "harga-beras" });
    assert.match(anonymous.headers.get("cache-control") ?? "", /max-age=\d+, public/);
    const editorRead = await server.gql(PAGE, { slug: "harga-beras" }, editor);
    assert.equal(editorRead.headers.get("cache-control"), "no-store");
    assert.notEqual(editorRead.statements, 0, "token holders never read the shared cache");
  });

  it("takes max-age from the shortest type or field hint the query selects", async () => {
    const maxAge = async (query: string) => (await server.gql(query)).headers.get("cache-control");
    assert.equal(await maxAge(`{ tags(first: 5) { nodes { slug } } }`), "max-age=300, public");
    assert.equal(await maxAge(`{ author(slug: "wartawan") { name } }`), "max-age=300, public");
    assert.equal(await maxAge(`{ author(slug: "wartawan") { name articles(first: 2) { nodes { title } } } }`), "max-age=60, public");
    assert.equal(await maxAge(`fragment F on Article { title } { articles(first: 1) { nodes { ...F } } }`), "max-age=60, public");
    assert.equal(await maxAge(`{ search(query: "harga") { nodes { snippet } } }`), "max-age=30, public");
    assert.equal(await maxAge(`{ nope }`), "no-store", "errors are not cacheable");
  });

  it("never shows one viewer's answer to another", async () => {
    const draft = { slug: "rahasia" };
    const anonymousFirst = await publicRead(PAGE, draft);
    assert.equal(anonymousFirst.body.data.article, null);
    const editorView = await asEditor(PAGE, draft);
    assert.equal(editorView.body.data.article.title, "Draft rahasia");
    const anonymousAgain = await server.gql(PAGE, draft);
    assert.equal(anonymousAgain.body.data.article, null, "the editor's preview did not enter the public cache");
  });

  it("invalidates on every kind of write", async () => {
    const title = async () => (await publicRead(PAGE, { slug: "harga-beras" })).body.data.article;
    const home = async () => (await publicRead(HOME)).body.data.articles;

    assert.equal((await title()).title, "Harga beras naik");
    await asEditor(`mutation($id: ID!) { updateArticle(id: $id, input: { title: "Harga beras melonjak" }) { id } }`, { id: articleId });
    assert.equal((await title()).title, "Harga beras melonjak");

    await asEditor(`mutation($id: ID!) { updateAuthor(id: $id, input: { name: "Wartawan Senior" }) { id } }`, { id: authorId });
    assert.equal((await title()).author.name, "Wartawan Senior");

    await asEditor(`mutation($id: ID!) { updateTag(id: $id, input: { name: "Ekonomi Rakyat" }) { id } }`, { id: tagId });
    assert.deepEqual((await title()).tags, [{ name: "Ekonomi Rakyat" }]);

    await asEditor(`mutation($id: ID!, $rel: [ID!]!) { setRelatedArticles(id: $id, relatedIds: $rel) { id } }`, { id: articleId, rel: [otherId] });
    assert.deepEqual((await title()).related[0], { article: { slug: "harga-cabai" } });

    const before = (await home()).totalCount;
    await asEditor(`mutation { createArticle(input: { title: "Berita baru", lead: "Lead baru.", body: "Isi baru.", authorSlug: "wartawan", tagSlugs: [] }) { id } }`);
    assert.equal((await home()).totalCount, before, "a new draft is not public");
    const created = await asEditor(`{ articles(filter: { statuses: [DRAFT] }) { nodes { id slug } } }`);
    const newId = created.body.data.articles.nodes.find((n: { slug: string }) => n.slug === "berita-baru").id;
    await asEditor(`mutation($id: ID!) { publishArticle(id: $id) { id } }`, { id: newId });
    assert.equal((await home()).totalCount, before + 1);

    await asEditor(`mutation($id: ID!) { unpublishArticle(id: $id) { id } }`, { id: newId });
    assert.equal((await home()).totalCount, before);

    await asEditor(`mutation($id: ID!) { deleteArticle(id: $id) { id } }`, { id: articleId });
    assert.equal((await title()), null);
    await asEditor(`mutation($id: ID!) { restoreArticle(id: $id) { id } }`, { id: articleId });
    assert.equal((await title()).title, "Harga beras melonjak");
  });

  it("shows a scheduled article at its instant although the list was cached before", async () => {
    const at = new Date(server.clock.now().getTime() + 3_600_000).toISOString();
    const created = await asEditor(`mutation { createArticle(input: { title: "Terjadwal", lead: "L.", body: "B.", authorSlug: "wartawan", tagSlugs: [] }) { id } }`);
    await asEditor(`mutation($id: ID!, $at: DateTime!) { publishArticle(id: $id, at: $at) { status } }`, { id: created.body.data.createArticle.id, at });
    const slugs = async () => (await server.gql(HOME)).body.data.articles.nodes.map((n: { slug: string }) => n.slug);
    await publicRead(HOME);
    assert.ok(!(await slugs()).includes("terjadwal"));
    server.clock.advance(2 * 3_600_000);
    assert.ok((await slugs()).includes("terjadwal"), "the cached list did not outlive the scheduled instant");
  });

  it("gives GET responses an ETag and answers If-None-Match with 304", async () => {
    const url = `${server.url}?${new URLSearchParams({ query: HOME }).toString()}`;
    const headers = { "apollo-require-preflight": "true" };
    const first = await fetch(url, { headers });
    assert.equal(first.status, 200);
    const etag = first.headers.get("etag");
    assert.ok(etag);
    const body = await first.text();
    const revalidated = await fetch(url, { headers: { ...headers, "if-none-match": etag } });
    assert.equal(revalidated.status, 304);
    assert.equal(await revalidated.text(), "");
    await asEditor(`mutation($id: ID!) { updateArticle(id: $id, input: { title: "Harga beras stabil" }) { id } }`, { id: articleId });
    const changed = await fetch(url, { headers: { ...headers, "if-none-match": etag } });
    assert.equal(changed.status, 200, "after a write the old ETag no longer matches");
    assert.notEqual(await changed.text(), body);
  });

  it("serves automatic persisted queries over short GET URLs", async () => {
    const query = `{ article(slug: "harga-cabai") { title } }`;
    const sha256Hash = createHash("sha256").update(query).digest("hex");
    const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash } });
    const get = () => fetch(`${server.url}?${new URLSearchParams({ extensions }).toString()}`, { headers: { "apollo-require-preflight": "true" } });
    const unknown: any = await (await get()).json();
    assert.equal(unknown.errors[0].extensions.code, "PERSISTED_QUERY_NOT_FOUND");
    const registered = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, extensions: JSON.parse(extensions) }),
    });
    assert.equal(((await registered.json()) as any).data.article.title, "Harga cabai turun");
    const byHash = await get();
    assert.equal(byHash.status, 200);
    assert.deepEqual(await byHash.json(), { data: { article: { title: "Harga cabai turun" } } });
  });
});
