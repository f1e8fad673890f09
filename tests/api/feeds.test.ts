import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { projectRoot } from "../../src/config";
import { importPages } from "../../src/import/importer";
import { createLogger } from "../../src/http/request-log";
import { bearer, Role } from "../support/editorial";
import { fetchFeed, parseFeed, parseJsonFeed, parseSitemap, SITE, sitePath, type ParsedItem } from "../support/feeds";
import { startTestServer, type TestServer } from "../support/server";

const SAMPLE_SLUG = "bertemu-di-pangkalan-antariksa-rusia-kim-jong-un-dan-vladimir-putin-bicarakan";
const SAMPLE_TITLE = "Bertemu di pangkalan antariksa Rusia, Kim Jong-un dan Vladimir Putin bicarakan senjata";
// {tag}, {yyyy}/{mm}/{dd} in the article's own zone, {slug}: every placeholder but {id} (unit-tested).
const TEMPLATE = "{site}/{tag}/{yyyy}/{mm}/{dd}/{slug}";
const SAMPLE_LINK = `${SITE}/internasional/2023/09/13/${SAMPLE_SLUG}`;
const PUBLICATION = "Warta & <Contoh>";
/** What an article created in a test carries: every character XML must escape, quotes and emoji. */
const HOSTILE_TITLE = `Harga "cabai" & <bawang> naik 'lagi' 🌶️😀 \u0007`;
const HOSTILE_AS_XML = HOSTILE_TITLE.replace("\u0007", "\uFFFD");

const OFFSET_OF_ZONE: Record<string, string> = { "Asia/Jakarta": "+0700", "Asia/Makassar": "+0800", "Asia/Jayapura": "+0900" };
const ALL_ARTICLES = `{ articles(first: 100) { nodes { id slug title timeZone tags { slug name } author { slug name } } } }`;

async function seed(server: TestServer) {
  const report = await importPages(server.dataSource, [path.join(projectRoot, "seeds")]);
  assert.equal(report.failed.length, 0, JSON.stringify(report.failed));
}

async function mutate(server: TestServer, headers: Record<string, string>, query: string, variables: Record<string, unknown>) {
  const res = await server.gql(query, variables, headers);
  assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
  return res.body.data;
}

const CREATE = `mutation($input: CreateArticleInput!) { createArticle(input: $input) { id slug } }`;
const PUBLISH = `mutation($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { id status publishedAt } }`;
const DELETE = `mutation($id: ID!) { deleteArticle(id: $id) { id } }`;

async function createArticle(server: TestServer, headers: Record<string, string>, input: Record<string, unknown>): Promise<{ id: string; slug: string }> {
  const data = await mutate(server, headers, CREATE, {
    input: { lead: "Lead & <lead>.", body: "Paragraf satu.\n\nParagraf dua.", authorSlug: "arpan-rachman", tagSlugs: ["ekonomi"], ...input },
  });
  return data.createArticle;
}

describe("feeds and sitemaps", () => {
  let server: TestServer;
  let editor: Record<string, string>;
  let articles: { id: string; slug: string; title: string; timeZone: string; tags: { slug: string; name: string }[]; author: { slug: string; name: string } }[];

  before(async () => {
    server = await startTestServer({
      env: { PUBLIC_SITE_URL: `${SITE}/`, ARTICLE_URL_TEMPLATE: TEMPLATE, PUBLICATION_NAME: PUBLICATION, SITEMAP_URLS_PER_FILE: "2" },
    });
    await seed(server);
    editor = (await bearer(server, Role.EDITOR)).headers;
    articles = (await server.gql(ALL_ARTICLES)).body.data.articles.nodes;
    assert.equal(articles.length, 16, "17 seed pages, one a draft");
  });
  after(() => server.close());

  it("puts the sample article in RSS with its link, author, local date, categories and image", async () => {
    const feed = await parseFeed(server, "/feeds/rss.xml");
    assert.equal(feed.title, PUBLICATION);
    assert.equal(feed.link, SITE);
    assert.equal(feed.items.length, 16);
    const item = feed.items.find((i) => i.title === SAMPLE_TITLE);
    assert.ok(item, "the sample article is in the feed");
    assert.equal(item.link, SAMPLE_LINK);
    assert.equal(item.creator, "Arpan Rachman");
    assert.equal(item.pubDate, "Wed, 13 Sep 2023 19:59:00 +0700");
    assert.equal(item.isoDate, "2023-09-13T12:59:00.000Z");
    assert.deepEqual(item.categories, ["Internasional", "Rusia", "Korea Utara"]);
    assert.equal(item.contentSnippet, "Putin mengajak Kim berkeliling kosmodrom, tempat peluncuran roket antariksa paling modern di Rusia.");
    assert.equal(item.media?.length, 1);
    assert.deepEqual({ ...item.media[0].$ }, { url: "https://cdn.example.id/img/alinea-putin-kim-vostochny.jpg", medium: "image", type: "image/jpeg" });
    assert.equal(item.media[0]["media:description"]![0]._, SAMPLE_TITLE, "the caption line of the page");
    // Newest first.
    const dates = feed.items.map((i) => Date.parse(i.isoDate!));
    assert.deepEqual(dates, [...dates].sort((a, b) => b - a));
  });

  it("dates every item in its own zone: +0700 WIB, +0800 WITA, +0900 WIT", async () => {
    const feed = await parseFeed(server, "/feeds/rss.xml");
    const zoneOfSlug = new Map(articles.map((a) => [a.slug, a.timeZone]));
    const seen = new Set<string>();
    for (const item of feed.items) {
      const slug = item.link!.split("/").pop()!;
      const offset = OFFSET_OF_ZONE[zoneOfSlug.get(slug)!];
      assert.ok(item.pubDate!.endsWith(` ${offset}`), `${slug}: ${item.pubDate} should end in ${offset}`);
      seen.add(offset);
    }
    assert.deepEqual([...seen].sort(), ["+0700", "+0800", "+0900"]);
    const byCreatorAndDate = feed.items.map((i) => `${i.creator} ${i.pubDate}`);
    assert.ok(byCreatorAndDate.includes("Andi Nurhaliza Thu, 24 Aug 2023 11:20:00 +0800"), "balikpapan-mangrove, 11:20 WITA");
    assert.ok(byCreatorAndDate.includes("Yohanes Rumbiak Mon, 15 Jul 2024 12:20:00 +0900"), "jayapura-guru-pedalaman, 12:20 WIT");
    // 01:20 WIB on the 26th is the 25th in UTC: the link's date is the article's own.
    const timnas = feed.items.find((i) => i.pubDate === "Fri, 26 Apr 2024 01:20:00 +0700");
    assert.ok(timnas, "timnas-u23-korea-selatan");
    assert.match(timnas.link!, /^https:\/\/news\.example\.id\/olahraga\/2024\/04\/26\//);
  });

  it("serves the same entry in Atom and JSON Feed, with offsets and the caption", async () => {
    const atom = await parseFeed(server, "/feeds/atom.xml");
    assert.equal(atom.items.length, 16);
    const entry = atom.items.find((i) => i.title === SAMPLE_TITLE)!;
    assert.equal(entry.link, SAMPLE_LINK);
    assert.equal(entry.author, "Arpan Rachman");
    assert.equal(entry.published, "2023-09-13T19:59:00+07:00");
    assert.deepEqual(entry.atomCategories?.map((c) => c.$.label), ["Internasional", "Rusia", "Korea Utara"]);
    assert.equal(entry.media![0].$.url, "https://cdn.example.id/img/alinea-putin-kim-vostochny.jpg");
    assert.match(entry.id!, /^tag:news\.example\.id,\d{4}-\d{2}-\d{2}:article:\d+$/);

    const json = await parseJsonFeed(server, "/feeds/feed.json");
    assert.equal(json.title, PUBLICATION);
    assert.equal(json.feed_url, `${SITE}/feeds/feed.json`);
    assert.equal(json.language, "id");
    const item = json.items.find((i) => i.title === SAMPLE_TITLE)!;
    assert.equal(item.id, entry.id, "one identifier across formats");
    assert.equal(item.url, SAMPLE_LINK);
    assert.equal(item.date_published, "2023-09-13T19:59:00+07:00");
    assert.deepEqual(item.authors.map((a) => a.name), ["Arpan Rachman"]);
    assert.deepEqual(item.tags, ["Internasional", "Rusia", "Korea Utara"]);
    assert.equal(item.image, "https://cdn.example.id/img/alinea-putin-kim-vostochny.jpg");
    assert.equal(item._media?.image_caption, SAMPLE_TITLE);
    assert.equal(item.content_text, item.summary, "without full text the content is the lead");
  });

  it("feeds per tag hold only that tag, per author only that author", async () => {
    for (const format of ["rss.xml", "atom.xml"]) {
      const feed = await parseFeed(server, `/feeds/tag/papua/${format}`);
      const expected = articles.filter((a) => a.tags.some((t) => t.slug === "papua")).map((a) => a.title);
      assert.ok(expected.length >= 3);
      assert.deepEqual(feed.items.map((i) => i.title).sort(), expected.sort());
      assert.match(feed.title!, /: Papua$/);
    }
    const json = await parseJsonFeed(server, "/feeds/tag/papua/feed.json");
    assert.ok(json.items.every((i) => i.tags.includes("Papua")));
    const byAuthor = await parseFeed(server, "/feeds/author/arpan-rachman/rss.xml");
    assert.equal(byAuthor.items.length, articles.filter((a) => a.author.slug === "arpan-rachman").length);
    assert.ok(byAuthor.items.every((i) => i.creator === "Arpan Rachman"));
    assert.equal((await fetchFeed(server, "/feeds/tag/no-such-tag/rss.xml")).status, 404);
    assert.equal((await fetchFeed(server, "/feeds/author/no-such-author/feed.json")).status, 404);
  });

  it("takes ?limit from 1 to 100 and refuses anything else with 400", async () => {
    assert.equal((await parseFeed(server, "/feeds/rss.xml?limit=3")).items.length, 3);
    assert.equal((await parseFeed(server, "/feeds/atom.xml?limit=100")).items.length, 16);
    for (const bad of ["0", "101", "-1", "1.5", "abc", "", "1e2", "3&limit=4"]) {
      const res = await fetchFeed(server, `/feeds/rss.xml?limit=${bad}`);
      assert.equal(res.status, 400, `limit=${bad}`);
      assert.equal(res.text, "limit must be a whole number from 1 to 100\n");
    }
  });

  it("runs the same few statements whatever the number of items", async () => {
    // Distinct URLs, so each is a cache miss that reads the database.
    const small = await fetchFeed(server, "/feeds/rss.xml?limit=1");
    const large = await fetchFeed(server, "/feeds/rss.xml?limit=99");
    assert.equal(small.statements, 2, "items with authors, then their tags");
    assert.equal(large.statements, 2);
    assert.equal((await fetchFeed(server, "/feeds/tag/papua/atom.xml?limit=2")).statements, 3, "the tag, its items, their tags");
    assert.equal((await fetchFeed(server, "/feeds/author/arpan-rachman/feed.json?limit=2")).statements, 3);
    const again = await fetchFeed(server, "/feeds/rss.xml?limit=99");
    assert.equal(again.statements, 0, "the second read comes from the feed cache");
    assert.equal(again.text, large.text);
  });

  it("lists every live article in the monthly sitemaps of the index, at most SITEMAP_URLS_PER_FILE each", async () => {
    const index = await parseSitemap(server, "/sitemaps/index.xml");
    const locs: string[] = index.entries.map((e) => e.loc);
    assert.ok(locs.includes(`${SITE}/sitemaps/articles-2023-09.xml`));
    assert.ok(locs.includes(`${SITE}/sitemaps/articles-2024-01-2.xml`), "three articles in January 2024, two per file");
    assert.ok(locs.includes(`${SITE}/sitemaps/tags.xml`) && locs.includes(`${SITE}/sitemaps/authors.xml`));
    assert.ok(index.entries.every((e) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/.test(e.lastmod)));
    assert.equal(index.response.statements, 3);

    const listed: string[] = [];
    for (const loc of locs.filter((l) => l.includes("/articles-"))) {
      const { entries } = await parseSitemap(server, sitePath(loc));
      assert.ok(entries.length >= 1 && entries.length <= 2, `${loc} has ${entries.length} URLs`);
      for (const entry of entries) assert.match(entry.lastmod, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[789]:00$/);
      listed.push(...entries.map((e) => e.loc));
    }
    assert.equal(listed.length, 16);
    assert.ok(listed.includes(SAMPLE_LINK));
    assert.deepEqual(listed.map((l) => l.split("/").pop()).sort(), articles.map((a) => a.slug).sort());

    const tagUrls: string[] = [];
    for (const loc of locs.filter((l) => /\/tags(-\d+)?\.xml$/.test(l))) tagUrls.push(...(await parseSitemap(server, sitePath(loc))).entries.map((e) => e.loc));
    const liveTags = new Set(articles.flatMap((a) => a.tags.map((t) => `${SITE}/tag/${t.slug}`)));
    assert.deepEqual(tagUrls.sort(), [...liveTags].sort(), "tags with live articles, each once");
    const authorUrls: string[] = [];
    for (const loc of locs.filter((l) => /\/authors(-\d+)?\.xml$/.test(l))) authorUrls.push(...(await parseSitemap(server, sitePath(loc))).entries.map((e) => e.loc));
    assert.deepEqual(authorUrls.sort(), [...new Set(articles.map((a) => `${SITE}/author/${a.author.slug}`))].sort(), "authors with live articles, each once");

    for (const missing of ["/sitemaps/articles-2022-01.xml", "/sitemaps/articles-2024-01-3.xml", "/sitemaps/articles-2024-01-1.xml", "/sitemaps/articles-2024-13.xml", "/sitemaps/nope.xml"]) {
      assert.equal((await fetchFeed(server, missing)).status, 404, missing);
    }
  });

  it("answers 304 to If-None-Match and If-Modified-Since, with cache-control and surrogate keys", async () => {
    const first = await fetchFeed(server, "/feeds/rss.xml");
    const etag = first.headers.get("etag")!;
    const lastModified = first.headers.get("last-modified")!;
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal(first.headers.get("cache-control"), "max-age=60, public");
    assert.match(first.headers.get("content-type")!, /^application\/rss\+xml/);
    const keys = first.headers.get("surrogate-key")!.split(" ");
    const sampleId = articles.find((a) => a.slug === SAMPLE_SLUG)!.id;
    assert.ok(keys.includes("articles") && keys.includes(`article:${sampleId}`), keys.join(" "));

    const byEtag = await fetchFeed(server, "/feeds/rss.xml", { headers: { "if-none-match": etag } });
    assert.equal(byEtag.status, 304);
    assert.equal(byEtag.text, "");
    assert.equal(byEtag.headers.get("etag"), etag);
    const byDate = await fetchFeed(server, "/feeds/rss.xml", { headers: { "if-modified-since": lastModified } });
    assert.equal(byDate.status, 304);
    const older = new Date(Date.parse(lastModified) - 1000).toUTCString();
    assert.equal((await fetchFeed(server, "/feeds/rss.xml", { headers: { "if-modified-since": older } })).status, 200);
    assert.equal((await fetchFeed(server, "/feeds/rss.xml", { headers: { "if-none-match": '"other"', "if-modified-since": lastModified } })).status, 200, "If-None-Match wins");

    for (const sitemap of ["/sitemaps/news.xml", "/sitemaps/index.xml", "/sitemaps/articles-2023-09.xml", "/feeds/feed.json", "/feeds/tag/papua/atom.xml"]) {
      const res = await fetchFeed(server, sitemap);
      assert.equal(res.headers.get("cache-control"), "max-age=60, public", sitemap);
      assert.equal((await fetchFeed(server, sitemap, { headers: { "if-none-match": res.headers.get("etag")! } })).status, 304, sitemap);
      assert.equal((await fetchFeed(server, sitemap, { headers: { "if-modified-since": res.headers.get("last-modified")! } })).status, 304, sitemap);
    }

    const head = await fetchFeed(server, "/feeds/rss.xml", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.text, "");
    assert.equal(head.headers.get("etag"), etag);
    assert.equal((await fetchFeed(server, "/feeds/rss.xml", { method: "POST", body: "x" })).status, 405);
  });

  it("drops exactly the feeds an edit touches, and the new text shows at once", async () => {
    const sample = articles.find((a) => a.slug === SAMPLE_SLUG)!;
    assert.ok(!sample.tags.some((t) => t.slug === "papua"));
    const papua = await fetchFeed(server, "/feeds/tag/papua/rss.xml");
    const all = await fetchFeed(server, "/feeds/rss.xml");
    assert.equal((await fetchFeed(server, "/feeds/tag/papua/rss.xml")).statements, 0, "cached");

    const edited = `${SAMPLE_TITLE} (diperbarui)`;
    await mutate(server, editor, `mutation($id: ID!, $input: UpdateArticleInput!) { updateArticle(id: $id, input: $input) { id } }`, { id: sample.id, input: { title: edited } });

    const papuaAgain = await fetchFeed(server, "/feeds/tag/papua/rss.xml");
    assert.equal(papuaAgain.statements, 0, "a feed that does not print the article stays cached");
    assert.equal(papuaAgain.headers.get("etag"), papua.headers.get("etag"));
    const allAgain = await fetchFeed(server, "/feeds/rss.xml", { headers: { "if-none-match": all.headers.get("etag")! } });
    assert.equal(allAgain.status, 200, "the old ETag no longer matches");
    assert.ok(allAgain.statements > 0);
    assert.ok((await parseFeed(server, "/feeds/rss.xml")).items.some((i) => i.title === edited));
    assert.ok((await parseJsonFeed(server, "/feeds/tag/rusia/feed.json")).items.some((i) => i.title === edited));
    await mutate(server, editor, `mutation($id: ID!, $input: UpdateArticleInput!) { updateArticle(id: $id, input: $input) { id } }`, { id: sample.id, input: { title: SAMPLE_TITLE } });

    // A renamed author: every cached feed printing the name drops (its author:<id> key).
    assert.ok((await parseFeed(server, "/feeds/tag/papua/rss.xml")).items.some((i) => i.creator === "Yohanes Rumbiak"));
    const { author } = (await server.gql(`{ author(slug: "yohanes-rumbiak") { id } }`)).body.data;
    const rename = `mutation($id: ID!, $input: UpdateAuthorInput!) { updateAuthor(id: $id, input: $input) { id } }`;
    await mutate(server, editor, rename, { id: author.id, input: { name: "Yohanes R." } });
    assert.ok((await parseFeed(server, "/feeds/tag/papua/rss.xml")).items.some((i) => i.creator === "Yohanes R."));
    await mutate(server, editor, rename, { id: author.id, input: { name: "Yohanes Rumbiak" } });
  });

  it("escapes &, <, quotes and emoji in every format, and replaces characters XML cannot carry", async () => {
    const author = await mutate(server, editor, `mutation($input: CreateAuthorInput!) { createAuthor(input: $input) { slug } }`, { input: { name: `Tim "Redaksi" & <Kawan>` } });
    const created = await createArticle(server, editor, {
      title: HOSTILE_TITLE,
      authorSlug: author.createAuthor.slug,
      tagSlugs: ["harga-pangan"],
      featuredImage: { url: "https://cdn.example.id/img/a.png?w=1&h=2", caption: `Pasar <Induk> & "cabai" 🌶️` },
      timeZone: "Asia/Makassar",
    });
    await mutate(server, editor, PUBLISH, { id: created.id });

    const rss = await parseFeed(server, "/feeds/rss.xml?limit=5");
    assert.match(rss.response.text, /Harga "cabai" &amp; &lt;bawang&gt;/);
    const item = rss.items.find((i) => i.link!.endsWith(`/${created.slug}`))!;
    assert.equal(item.title, HOSTILE_AS_XML);
    assert.equal(item.creator, `Tim "Redaksi" & <Kawan>`);
    assert.equal(item.content, "Lead & <lead>.");
    assert.equal(item.media![0].$.url, "https://cdn.example.id/img/a.png?w=1&h=2");
    assert.equal(item.media![0]["media:description"]![0]._, `Pasar <Induk> & "cabai" 🌶️`);
    assert.match(item.pubDate!, / \+0800$/);

    const atom = await parseFeed(server, "/feeds/atom.xml?limit=5");
    assert.equal(atom.items.find((i) => i.link!.endsWith(`/${created.slug}`))!.title, HOSTILE_AS_XML);
    const json = await parseJsonFeed(server, "/feeds/feed.json?limit=5");
    assert.equal(json.items.find((i) => i.url.endsWith(`/${created.slug}`))!.title, HOSTILE_TITLE, "JSON carries the title as it is");

    const news = await parseSitemap(server, "/sitemaps/news.xml");
    const entry = news.entries.find((e) => e.loc.endsWith(`/${created.slug}`))!;
    assert.equal(entry["news:news"]["news:title"], HOSTILE_AS_XML);
    assert.equal(entry["news:news"]["news:publication"]["news:name"], PUBLICATION);
    assert.equal(entry["news:news"]["news:publication"]["news:language"], "id");
    assert.match(entry["news:news"]["news:publication_date"], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    await mutate(server, editor, DELETE, { id: created.id });
  });
});

describe("feeds over time: drafts, scheduled and deleted articles, the news sitemap's 48 hours", () => {
  let server: TestServer;
  let editor: Record<string, string>;
  const ids: Record<"draft" | "scheduled" | "deleted" | "live", { id: string; slug: string }> = {} as never;
  let liveAt: number;

  /** Slugs in every feed and sitemap an aggregator reads. */
  async function everywhere(): Promise<Record<string, string[]>> {
    const slugOf = (url: string) => url.split("/").pop()!;
    const months = (await parseSitemap(server, "/sitemaps/index.xml")).entries.map((e) => e.loc as string).filter((l) => l.includes("/articles-"));
    const monthly: string[] = [];
    for (const loc of months) monthly.push(...(await parseSitemap(server, sitePath(loc))).entries.map((e) => slugOf(e.loc)));
    return {
      rss: (await parseFeed(server, "/feeds/rss.xml?limit=100")).items.map((i) => slugOf(i.link!)),
      atom: (await parseFeed(server, "/feeds/atom.xml?limit=100")).items.map((i) => slugOf(i.link!)),
      json: (await parseJsonFeed(server, "/feeds/feed.json?limit=100")).items.map((i) => slugOf(i.url)),
      tag: (await parseFeed(server, "/feeds/tag/ekonomi/rss.xml")).items.map((i) => slugOf(i.link!)),
      author: (await parseJsonFeed(server, "/feeds/author/arpan-rachman/feed.json?limit=100")).items.map((i) => slugOf(i.url)),
      news: (await parseSitemap(server, "/sitemaps/news.xml")).entries.map((e) => slugOf(e.loc)),
      monthly,
    };
  }

  before(async () => {
    server = await startTestServer({ env: { PUBLIC_SITE_URL: SITE } });
    await seed(server);
    editor = (await bearer(server, Role.EDITOR)).headers;
    ids.draft = await createArticle(server, editor, { title: "Draf yang belum terbit" });
    ids.scheduled = await createArticle(server, editor, { title: "Terjadwal satu jam lagi" });
    // 45 s ahead: less than the 60 s max-age, so only the cache noticing the instant can show it in time.
    await mutate(server, editor, PUBLISH, { id: ids.scheduled.id, at: new Date(server.clock.now().getTime() + 45_000).toISOString() });
    ids.deleted = await createArticle(server, editor, { title: "Terbit lalu dihapus" });
    await mutate(server, editor, PUBLISH, { id: ids.deleted.id });
    await mutate(server, editor, DELETE, { id: ids.deleted.id });
    ids.live = await createArticle(server, editor, { title: "Terbit sekarang di Makassar", timeZone: "Asia/Makassar" });
    liveAt = Date.parse((await mutate(server, editor, PUBLISH, { id: ids.live.id })).publishArticle.publishedAt);
  });
  after(() => server.close());

  it("never shows drafts, scheduled or deleted articles; the live one is everywhere", async () => {
    const seen = await everywhere();
    for (const [where, slugs] of Object.entries(seen)) {
      for (const hidden of ["draft", "scheduled", "deleted"] as const) assert.ok(!slugs.includes(ids[hidden].slug), `${hidden} article in ${where}`);
      assert.ok(slugs.includes(ids.live.slug), `live article missing from ${where}`);
      assert.ok(!slugs.includes("petani-bandung-kembangkan-aplikasi-deteksi-penyakit-padi-berbasis-kecerdasan"), `seed draft in ${where}`);
    }
    assert.equal(seen.news.length, 1, "only the article published now is within 48 hours");
  });

  it("shows a scheduled article at its instant, through the cache", async () => {
    assert.ok(!(await everywhere()).rss.includes(ids.scheduled.slug));
    assert.equal((await fetchFeed(server, "/feeds/rss.xml?limit=100")).statements, 0, "the feed is cached");
    server.clock.advance(46_000);
    const seen = await everywhere();
    for (const [where, slugs] of Object.entries(seen)) assert.ok(slugs.includes(ids.scheduled.slug), `scheduled article not in ${where} after its instant`);
    for (const [where, slugs] of Object.entries(seen)) assert.ok(!slugs.includes(ids.deleted.slug) && !slugs.includes(ids.draft.slug), where);
  });

  it("keeps the news sitemap to the last 48 hours by the server clock", async () => {
    const news = async () => (await parseSitemap(server, "/sitemaps/news.xml")).entries.map((e) => e.loc.split("/").pop());
    const advanceTo = (msAfterLive: number) => server.clock.advance(liveAt + msAfterLive - server.clock.now().getTime());
    advanceTo(47 * 3_600_000);
    assert.deepEqual((await news()).sort(), [ids.live.slug, ids.scheduled.slug].sort());
    advanceTo(48 * 3_600_000 - 5_000);
    assert.deepEqual((await news()).sort(), [ids.live.slug, ids.scheduled.slug].sort());
    assert.equal((await fetchFeed(server, "/sitemaps/news.xml")).statements, 0, "cached");
    // 25 s later, well within the max-age: the cached copy ends when its oldest item leaves the window.
    advanceTo(48 * 3_600_000 + 20_000);
    assert.deepEqual(await news(), [ids.scheduled.slug], "the live article left the window; the one published 45 s later has not");
    advanceTo(49 * 3_600_000);
    assert.deepEqual(await news(), []);
    const empty = await parseSitemap(server, "/sitemaps/news.xml");
    assert.equal(empty.response.status, 200, "an empty news sitemap is still a sitemap");
    // The month sitemaps keep everything.
    assert.ok((await everywhere()).monthly.includes(ids.live.slug));
  });
});

describe("feeds with FEED_FULL_TEXT", () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ env: { PUBLIC_SITE_URL: SITE, FEED_FULL_TEXT: "true" } });
    const report = await importPages(server.dataSource, [path.join(projectRoot, "seeds/alinea-putin-kim-vostochny.txt")]);
    assert.equal(report.created, 1);
  });
  after(() => server.close());

  it("carries the body as HTML paragraphs besides the lead, in every format", async () => {
    const rss = await parseFeed(server, "/feeds/rss.xml");
    const item = rss.items[0] as ParsedItem & { "content:encoded"?: string };
    assert.equal(item.content, "Putin mengajak Kim berkeliling kosmodrom, tempat peluncuran roket antariksa paling modern di Rusia.", "the description stays the lead");
    const html = item["content:encoded"]!;
    assert.equal(html.match(/<p>/g)?.length, 27);
    assert.ok(html.startsWith("<p>Vladimir Putin dan Kim Jong-un bertemu di pangkalan luar angkasa di Rusia"));
    const atom = await parseFeed(server, "/feeds/atom.xml");
    assert.match(atom.items[0].content!, /^<p>Vladimir Putin/);
    const json = await parseJsonFeed(server, "/feeds/feed.json");
    assert.equal(json.items[0].content_html, html);
    assert.equal(json.items[0].content_text, undefined);
  });
});

describe("feeds without PUBLIC_SITE_URL", () => {
  let server: TestServer;
  const lines: { msg?: string }[] = [];

  before(async () => {
    server = await startTestServer({ app: { logger: createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line)) }) } });
    await seed(server);
  });
  after(() => server.close());

  it("answers 404 with a one-line reason and says so once in the log at start", async () => {
    for (const p of ["/feeds/rss.xml", "/feeds/tag/papua/atom.xml", "/sitemaps/news.xml", "/sitemaps/index.xml"]) {
      const res = await fetchFeed(server, p);
      assert.equal(res.status, 404, p);
      assert.equal(res.text, "feeds and sitemaps are off on this server: PUBLIC_SITE_URL is not set\n");
    }
    const notices = lines.filter((l) => /feeds and sitemaps are off/.test(l.msg ?? ""));
    assert.equal(notices.length, 1);
    assert.equal((await server.gql(`{ articles(first: 1) { nodes { slug } } }`)).status, 200, "GraphQL is unaffected");
  });
});
