import { queryNamed } from "../../src/db/named-sql";
import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { importPages } from "../../src/import/importer";
import { bearer, Role } from "../support/editorial";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { samplePage, tempDir, writePage } from "../support/seed-cli";
import { startTestServer, type TestServer } from "../support/server";

const PAGE = `query Page($slug: String!) { article(slug: $slug) { id title lead author { name } tags { slug name } related(first: 3) { reason article { slug } } } }`;
const HOME = `{ articles(first: 20) { totalCount nodes { slug title } } }`;

/** Keys the response sent in its key header, as a set. */
function keysOf(res: { headers: Headers }, header = "surrogate-key", separator = " "): Set<string> {
  return new Set((res.headers.get(header) ?? "").split(separator).filter(Boolean));
}

describe("cache keys: precise invalidation, key header, x-cache", () => {
  let server: TestServer;
  let editor: Record<string, string>;
  const ids: Record<string, number> = {};

  before(async () => {
    server = await startTestServer();
    const ds = server.dataSource;
    const author = await makeAuthor(ds, { slug: "wartawan", name: "Wartawan Satu" });
    const other = await makeAuthor(ds, { slug: "penulis", name: "Penulis Dua" });
    const ekonomi = await makeTag(ds, { slug: "ekonomi", name: "Ekonomi" });
    const olahraga = await makeTag(ds, { slug: "olahraga", name: "Olahraga" });
    const budaya = await makeTag(ds, { slug: "budaya", name: "Budaya" });
    const beras = await makeArticle(ds, { slug: "harga-beras", title: "Harga beras naik", author, tags: [ekonomi] });
    const cabai = await makeArticle(ds, { slug: "harga-cabai", title: "Harga cabai turun", author, tags: [ekonomi] });
    const bola = await makeArticle(ds, { slug: "timnas-menang", title: "Timnas menang", author: other, tags: [olahraga] });
    const tari = await makeArticle(ds, { slug: "festival-tari", title: "Festival tari", author: other, tags: [budaya] });
    // No tags: only the pick links it to a page, so only the picker's key can refresh that page.
    const draft = await makeArticle(ds, { slug: "draft-pilihan", title: "Draft pilihan", author, tags: [], status: "draft", publishedAt: null });
    Object.assign(ids, { author: author.id, other: other.id, ekonomi: ekonomi.id, olahraga: olahraga.id, budaya: budaya.id, beras: beras.id, cabai: cabai.id, bola: bola.id, tari: tari.id, draft: draft.id });
    editor = (await bearer(server, Role.EDITOR)).headers;
  });
  after(() => server.close());

  async function read(query: string, variables?: Record<string, unknown>) {
    const res = await server.gql(query, variables);
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    return res;
  }

  /** Reads until the cache answers, so each test starts from a warm entry. */
  async function warm(query: string, variables?: Record<string, unknown>) {
    await read(query, variables);
    const again = await read(query, variables);
    assert.equal(again.headers.get("x-cache"), "HIT", "the second identical anonymous read is a hit");
    assert.equal(again.statements, 0);
    return again;
  }

  async function asEditor(query: string, variables?: Record<string, unknown>) {
    const res = await server.gql(query, variables, editor);
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    assert.equal(res.headers.get("x-cache"), "BYPASS");
    return res;
  }

  it("an edit drops the edited article's page only; the other page stays a hit", async () => {
    await warm(PAGE, { slug: "harga-beras" });
    await warm(PAGE, { slug: "timnas-menang" });
    await asEditor(`mutation($id: ID!) { updateArticle(id: $id, input: { lead: "Lead baru yang diperbarui." }) { id } }`, { id: String(ids.beras) });

    const edited = await read(PAGE, { slug: "harga-beras" });
    assert.equal(edited.headers.get("x-cache"), "MISS");
    assert.equal(edited.body.data.article.lead, "Lead baru yang diperbarui.", "the edited page is fresh at once");
    const untouched = await read(PAGE, { slug: "timnas-menang" });
    assert.equal(untouched.headers.get("x-cache"), "HIT", "an article sharing nothing with the edit stays cached");
    assert.equal(untouched.statements, 0);
  });

  it("an edit of the lead keeps the pages that link to the article; an edit of its title refreshes them", async () => {
    // harga-cabai's related links show harga-beras (they share a tag) by slug and title only.
    const LINKS = `query Links($slug: String!) { article(slug: $slug) { slug related(first: 3) { article { slug title } } } }`;
    const first = await warm(LINKS, { slug: "harga-cabai" });
    assert.ok(first.body.data.article.related.some((r: { article: { slug: string } }) => r.article.slug === "harga-beras"));
    await asEditor(`mutation($id: ID!) { updateArticle(id: $id, input: { lead: "Lead yang tidak tampil di tautan." }) { id } }`, { id: String(ids.beras) });
    const kept = await read(LINKS, { slug: "harga-cabai" });
    assert.equal(kept.headers.get("x-cache"), "HIT", "the links show nothing the lead edit changed");

    await asEditor(`mutation($id: ID!) { updateArticle(id: $id, input: { title: "Harga beras naik lagi" }) { id } }`, { id: String(ids.beras) });
    const refreshed = await read(LINKS, { slug: "harga-cabai" });
    assert.equal(refreshed.headers.get("x-cache"), "MISS");
    const link = refreshed.body.data.article.related.find((r: { article: { slug: string } }) => r.article.slug === "harga-beras");
    assert.equal(link.article.title, "Harga beras naik lagi", "the link shows the new title at once");
  });

  it("a publish refreshes the home list and the pages sharing its tags, not unrelated pages", async () => {
    await warm(HOME);
    await warm(PAGE, { slug: "timnas-menang" });
    await warm(PAGE, { slug: "harga-cabai" });
    const created = await asEditor(
      `mutation { createArticle(input: { title: "Inflasi melambat", lead: "L.", body: "B.", authorSlug: "wartawan", tagSlugs: ["ekonomi"] }) { id } }`,
    );
    assert.equal((await read(HOME)).headers.get("x-cache"), "HIT", "a new draft changes no public list");
    await asEditor(`mutation($id: ID!) { publishArticle(id: $id) { id } }`, { id: created.body.data.createArticle.id });

    const home = await read(HOME);
    assert.equal(home.headers.get("x-cache"), "MISS");
    assert.ok(home.body.data.articles.nodes.some((n: { slug: string }) => n.slug === "inflasi-melambat"), "the home list shows the new article");
    const sameTag = await read(PAGE, { slug: "harga-cabai" });
    assert.equal(sameTag.headers.get("x-cache"), "MISS", "a page whose related answer draws on the new article's tag is refreshed");
    assert.ok(sameTag.body.data.article.related.some((r: { article: { slug: string } }) => r.article.slug === "inflasi-melambat"));
    const unrelated = await read(PAGE, { slug: "timnas-menang" });
    assert.equal(unrelated.headers.get("x-cache"), "HIT", "an article page sharing no tag with the new article stays cached");
  });

  it("a token's last-use write flushes nothing", async () => {
    await warm(HOME);
    await warm(PAGE, { slug: "festival-tari" });
    const token = await bearer(server, Role.EDITOR, undefined, "pembaca token");
    const before = await queryNamed(server.dataSource, `SELECT last_used_at FROM api_tokens WHERE id = :id`, { id: token.token.id });
    assert.equal(before[0].last_used_at, null);
    const tokenRead = await server.gql(`{ articles(first: 1) { nodes { slug } } }`, undefined, token.headers);
    assert.equal(tokenRead.headers.get("x-cache"), "BYPASS");
    const afterUse = await queryNamed(server.dataSource, `SELECT last_used_at FROM api_tokens WHERE id = :id`, { id: token.token.id });
    assert.notEqual(afterUse[0].last_used_at, null, "the token's use was written");
    assert.equal((await read(HOME)).headers.get("x-cache"), "HIT");
    assert.equal((await read(PAGE, { slug: "festival-tari" })).headers.get("x-cache"), "HIT");
  });

  it("lists the article page's article, author, tag, related-article and related-pool keys", async () => {
    await asEditor(`mutation($id: ID!, $rel: [ID!]!) { setRelatedArticles(id: $id, relatedIds: $rel) { id } }`, {
      id: String(ids.beras),
      rel: [String(ids.bola)],
    });
    const res = await read(PAGE, { slug: "harga-beras" });
    assert.match(res.headers.get("cache-control") ?? "", /public/);
    const keys = keysOf(res);
    // The related articles show only their slugs: the page depends on their cards, not on them.
    for (const key of [`article:${ids.beras}`, `author:${ids.author}`, `tag:${ids.ekonomi}`, `article:${ids.bola}:card`, `article:${ids.cabai}:card`, `tag:${ids.ekonomi}:articles`]) {
      assert.ok(keys.has(key), `${key} in ${[...keys].join(" ")}`);
    }
    const hit = await read(PAGE, { slug: "harga-beras" });
    assert.equal(hit.headers.get("x-cache"), "HIT");
    assert.deepEqual(keysOf(hit), keys, "a hit sends the keys stored with it");
    const list = keysOf(await read(`{ tag(slug: "olahraga") { name articles(first: 5) { totalCount nodes { slug } } } }`));
    for (const key of [`tag:${ids.olahraga}`, `tag:${ids.olahraga}:articles`, `article:${ids.bola}:card`]) assert.ok(list.has(key), key);
    assert.ok(!list.has(`article:${ids.bola}`), "a list of slugs does not depend on the article's text");
    const editorRead = await server.gql(PAGE, { slug: "harga-beras" }, editor);
    assert.equal(editorRead.headers.get("surrogate-key"), null, "no keys on a private answer");
  });

  it("a pick that becomes visible refreshes the pages that pick it", async () => {
    await asEditor(`mutation($id: ID!, $rel: [ID!]!) { setRelatedArticles(id: $id, relatedIds: $rel) { id } }`, {
      id: String(ids.tari),
      rel: [String(ids.draft)],
    });
    const hidden = await warm(PAGE, { slug: "festival-tari" });
    assert.ok(!hidden.body.data.article.related.some((r: { reason: string }) => r.reason === "EDITOR_PICK"), "a draft pick is not shown");
    await asEditor(`mutation($id: ID!) { publishArticle(id: $id) { id } }`, { id: String(ids.draft) });
    const shown = await read(PAGE, { slug: "festival-tari" });
    assert.equal(shown.headers.get("x-cache"), "MISS");
    assert.deepEqual(shown.body.data.article.related[0], { reason: "EDITOR_PICK", article: { slug: "draft-pilihan" } });
  });

  it("lookups that found nothing are refreshed when a slug, author or tag appears", async () => {
    const bySlug = `query($slug: String!) { article(slug: $slug) { title } }`;
    assert.equal((await warm(bySlug, { slug: "timnas-juara" })).body.data.article, null);
    await asEditor(`mutation($id: ID!) { updateArticle(id: $id, input: { slug: "timnas-juara" }) { id } }`, { id: String(ids.bola) });
    assert.equal((await read(bySlug, { slug: "timnas-juara" })).body.data.article.title, "Timnas menang", "a renamed slug is found at once");

    // The importer creates the author and tags it meets: lookups and listings that lacked them refresh.
    const authors = `{ authors(first: 50) { nodes { slug } } }`;
    const tagLookup = `{ tag(slug: "diplomasi-baru") { name } }`;
    await warm(authors);
    assert.equal((await warm(tagLookup)).body.data.tag, null);
    const dir = tempDir("cache-keys-import");
    writePage(dir, "baru.txt", samplePage({ author: "Reporter Anyar" }), { tags: ["Diplomasi Baru"] });
    const report = await importPages(server.dataSource, [dir]);
    assert.equal(report.failed.length, 0, JSON.stringify(report.failed));
    const listed = await read(authors);
    assert.ok(listed.body.data.authors.nodes.some((a: { slug: string }) => a.slug === "reporter-anyar"), "the imported author is listed");
    assert.equal((await read(tagLookup)).body.data.tag?.name, "Diplomasi Baru");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a scheduled article reaches its tag's page at its instant; other pages stay cached", async () => {
    const tagPage = `{ tag(slug: "olahraga") { articles(first: 10) { nodes { slug } } } }`;
    const created = await asEditor(
      `mutation { createArticle(input: { title: "Final piala", lead: "L.", body: "B.", authorSlug: "penulis", tagSlugs: ["olahraga"] }) { id } }`,
    );
    const at = new Date(server.clock.now().getTime() + 3_600_000).toISOString();
    await asEditor(`mutation($id: ID!, $at: DateTime!) { publishArticle(id: $id, at: $at) { status } }`, { id: created.body.data.createArticle.id, at });
    const before = await warm(tagPage);
    assert.ok(!before.body.data.tag.articles.nodes.some((n: { slug: string }) => n.slug === "final-piala"));
    await warm(PAGE, { slug: "harga-cabai" });
    server.clock.advance(2 * 3_600_000);
    const live = await read(tagPage);
    assert.equal(live.headers.get("x-cache"), "MISS");
    assert.ok(live.body.data.tag.articles.nodes.some((n: { slug: string }) => n.slug === "final-piala"), "the cached tag page did not outlive the instant");
    assert.equal((await read(PAGE, { slug: "harga-cabai" })).headers.get("x-cache"), "HIT", "the instant drops only what the article appears in");
  });

  it("says x-cache on every answer, errors included", async () => {
    const unknownOperation = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "query Q { articles(first: 1) { nodes { slug } } }", operationName: "M" }),
    });
    assert.equal(unknownOperation.status, 400);
    assert.equal(unknownOperation.headers.get("x-cache"), "MISS");
    const invalid = await server.gql(`{ nope }`);
    assert.equal(invalid.headers.get("x-cache"), "MISS");
    assert.equal(invalid.headers.get("surrogate-key"), null, "errors carry no keys");
    const badToken = await server.gql(`{ articles(first: 1) { nodes { slug } } }`, undefined, { authorization: "Bearer nrt_nope" });
    assert.equal(badToken.status, 401);
    assert.equal(badToken.headers.get("x-cache"), "BYPASS");
  });

  it("an author rename refreshes the pages showing the author, not others", async () => {
    await warm(PAGE, { slug: "harga-cabai" });
    await warm(PAGE, { slug: "festival-tari" });
    await asEditor(`mutation($id: ID!) { updateAuthor(id: $id, input: { name: "Wartawan Senior" }) { id } }`, { id: String(ids.author) });
    const shown = await read(PAGE, { slug: "harga-cabai" });
    assert.equal(shown.body.data.article.author.name, "Wartawan Senior");
    assert.equal((await read(PAGE, { slug: "festival-tari" })).headers.get("x-cache"), "HIT", "a page by another author stays cached");
  });
});

describe("cache key header options", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { CACHE_KEY_HEADER: "Cache-Tag", CACHE_KEY_HEADER_MAX_BYTES: "256" } });
    const author = await makeAuthor(server.dataSource);
    const tags = await Promise.all(Array.from({ length: 4 }, () => makeTag(server.dataSource)));
    for (let i = 0; i < 30; i++) await makeArticle(server.dataSource, { author, tags: [tags[i % 4]] });
  });
  after(() => server.close());

  it("sends Cache-Tag comma-separated and collapses keys to broader ones past the byte limit", async () => {
    const small = await server.gql(`{ articles(first: 2) { nodes { slug } } }`);
    const value = small.headers.get("cache-tag") ?? "";
    assert.equal(small.headers.get("surrogate-key"), null);
    assert.ok(value.includes(",") && !value.includes(" "), value);
    assert.ok(value.split(",").some((k) => /^article:\d+:card$/.test(k)), "within the limit, every article is named (by its card: the list shows slugs)");

    const big = await server.gql(`{ articles(first: 30) { nodes { slug author { name } tags { name } } } }`);
    const collapsed = big.headers.get("cache-tag") ?? "";
    assert.ok(Buffer.byteLength(collapsed) <= 256, `${Buffer.byteLength(collapsed)} bytes`);
    const keys = collapsed.split(",");
    assert.ok(keys.includes("article:all"), collapsed);
    assert.ok(keys.includes("articles"), collapsed);
    assert.ok(!keys.some((k) => /^article:\d+(:card)?$/.test(k)), "the article keys gave way to article:all");
  });
});
