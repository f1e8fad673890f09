import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { DataSource, EntityManager } from "typeorm";
import { writeTransaction } from "../../src/db/write-lock";
import { ALL_KEYS, recordContentEvent } from "../../src/events/content-events";
import type { Article } from "../../src/entities/article.entity";
import type { Author } from "../../src/entities/author.entity";
import type { Tag } from "../../src/entities/tag.entity";
import { parsePage } from "../../src/import/page-parser";
import { slugify } from "../../src/lib/slug";
import { ArticleSearchLiveAt1732700000620 } from "../../src/migrations/1732700000620-article-search-live-at";
import { reindexArticles } from "../../src/search/search-index";
import { onlyOn, onPostgres, sqlQuery } from "../support/database";
import { makeArticle, makeAuthor, makeTag } from "../support/factories";
import { startTestServer, type TestServer } from "../support/server";

// Tests run from dist/tests/api, three levels below the project root.
const SEEDS = path.join(__dirname, "../../../seeds");

const SEARCH = `query($q: String!, $first: Int, $after: String, $filter: ArticleFilter, $orderBy: SearchOrder) {
  search(query: $q, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { score snippet article { slug title publishedAt author { slug } tags { slug } } } }
  }
}`;

interface Hit {
  score: number;
  snippet: string;
  article: { slug: string; title: string; publishedAt: string; author: { slug: string }; tags: { slug: string }[] };
}

/**
 * The factories write rows directly, bypassing the services that keep the index in step; this
 * does what a service does after its write: reindex, and say what changed so the response
 * cache drops it (these raw writes name no keys, so everything).
 */
async function indexAll(ds: DataSource, articles: Article[], change?: (manager: EntityManager) => Promise<unknown>): Promise<void> {
  await writeTransaction(ds, async (manager) => {
    await change?.(manager);
    await reindexArticles(manager, articles.map((a) => a.id));
    recordContentEvent(manager, { type: "content.bulk", entity: "content", id: 0, slug: null, keys: [ALL_KEYS], occurredAt: new Date() });
  });
}

async function loadSamplePages(ds: DataSource): Promise<Article[]> {
  const authors = new Map<string, Author>();
  const tags = new Map<string, Tag>();
  const out: Article[] = [];
  for (const file of fs.readdirSync(SEEDS).filter((f) => f.endsWith(".txt")).sort()) {
    const page = parsePage(fs.readFileSync(path.join(SEEDS, file), "utf8"));
    const sidecar = JSON.parse(fs.readFileSync(path.join(SEEDS, file.replace(/\.txt$/, ".json")), "utf8"));
    const authorSlug = slugify(page.authorName);
    if (!authors.has(authorSlug)) authors.set(authorSlug, await makeAuthor(ds, { slug: authorSlug, name: page.authorName }));
    const articleTags: Tag[] = [];
    for (const name of sidecar.tags ?? []) {
      const slug = slugify(name);
      if (!tags.has(slug)) tags.set(slug, await makeTag(ds, { slug, name }));
      articleTags.push(tags.get(slug)!);
    }
    out.push(
      await makeArticle(ds, {
        slug: file.replace(/\.txt$/, ""),
        title: page.title,
        lead: page.lead,
        body: page.body,
        publishedAt: page.publishedAt,
        timeZone: page.timeZone,
        author: authors.get(authorSlug)!,
        tags: articleTags,
      }),
    );
  }
  return out;
}

describe("search API", () => {
  let server: TestServer;
  let ana: Author;
  let budi: Author;
  let ekonomi: Tag;
  let politik: Tag;

  const search = async (q: string, vars: Record<string, unknown> = {}) => {
    const res = await server.gql(SEARCH, { q, ...vars });
    return res;
  };
  const hits = async (q: string, vars: Record<string, unknown> = {}): Promise<Hit[]> => {
    const res = await search(q, vars);
    assert.equal(res.status, 200);
    assert.equal(res.body.errors, undefined, `${q}: ${JSON.stringify(res.body.errors)}`);
    return res.body.data.search.edges.map((e: { node: Hit }) => e.node);
  };
  const slugs = async (q: string, vars: Record<string, unknown> = {}) => (await hits(q, vars)).map((h) => h.article.slug);

  before(async () => {
    server = await startTestServer();
    const ds = server.dataSource;
    const written: Article[] = await loadSamplePages(ds);
    ana = await makeAuthor(ds, { slug: "ana-rahma", name: "Ana Rahma" });
    budi = await makeAuthor(ds, { slug: "budi-santoso", name: "Budi Santoso" });
    ekonomi = await makeTag(ds, { slug: "ekonomi-desa", name: "Ekonomi Desa" });
    politik = await makeTag(ds, { slug: "politik-desa", name: "Politik Desa" });
    const filler = "Warga desa berkumpul di balai pertemuan untuk membahas rencana pembangunan jalan dan saluran irigasi baru.";
    const add = async (fields: Parameters<typeof makeArticle>[1]) => written.push(await makeArticle(ds, { author: ana, ...fields }));

    // Ranking: the same word once in a title versus once in a body of similar length.
    await add({ slug: "cengkih-judul", title: "Harga cengkih naik di Maluku", lead: "Petani tersenyum.", body: `${filler} ${filler}` });
    await add({ slug: "cengkih-isi", title: "Petani Maluku menunggu panen", lead: "Petani menunggu.", body: `${filler} Harga cengkih naik. ${filler}` });

    // Affixes: only derived forms occur in these texts, never the search word itself.
    await add({ slug: "persenjataan", title: "Anggaran pertahanan dibahas", lead: "DPR rapat.", body: "Rencana modernisasi persenjataan TNI dibahas di Senayan." });
    await add({ slug: "bersenjata", title: "Kontak tembak di pegunungan", lead: "Aparat siaga.", body: "Kelompok bersenjata menyerang pos jaga pada malam hari." });
    await add({ slug: "menembakkan", title: "Demonstrasi di pelabuhan", lead: "Massa bubar.", body: "Polisi menembakkan gas air mata ke arah massa yang melempar batu." });
    await add({ slug: "senja", title: "Festival pantai", lead: "Pengunjung ramai.", body: "Matahari senja di pantai Kuta menarik ribuan wisatawan." });

    // Phrase: both words, but not next to each other.
    await add({ slug: "kim-lalu-jong", title: "Kuliner Korea", lead: "Restoran baru.", body: "Pemilik restoran, Kim, menyajikan bibimbap; koki Jong memasak kimchi." });

    // Escaping: the text is plain, and a snippet must keep it that way.
    await add({ slug: "skrip", title: "Keamanan situs", lead: "Peretas beraksi.", body: "Peretas menyisipkan <script>alert('rendang')</script> ke komentar tentang rendang & gulai." });

    // Filters and paging: seven articles sharing a word, over two authors, two tags and two years.
    for (let i = 0; i < 7; i++) {
      await add({
        slug: `durian-${i}`,
        title: `Musim durian ${i}`,
        lead: "Pedagang buah sibuk.",
        body: `Panen durian tahun ini ${"melimpah ".repeat(i + 1)}kata pedagang.`,
        author: i % 2 === 0 ? ana : budi,
        tags: [i < 3 ? ekonomi : politik],
        publishedAt: new Date(Date.UTC(i < 4 ? 2023 : 2024, i, 10)),
      });
    }

    // Visibility: only the first may be found by the public.
    const now = server.clock.now().getTime();
    await add({ slug: "kelelawar-terbit", title: "Kelelawar di gua", lead: "Peneliti datang.", body: "Koloni kelelawar ditemukan." });
    await add({ slug: "kelelawar-draf", title: "Kelelawar draf", lead: "Belum terbit.", body: "Kelelawar draf.", status: "draft", publishedAt: null });
    await add({ slug: "kelelawar-jadwal", title: "Kelelawar terjadwal", lead: "Nanti.", body: "Kelelawar nanti.", publishedAt: new Date(now + 86_400_000) });
    await add({ slug: "kelelawar-hapus", title: "Kelelawar dihapus", lead: "Hapus.", body: "Kelelawar hapus.", deletedAt: new Date(now - 1000) });

    await indexAll(ds, written);
  });
  after(() => server.close());

  it("ranks a title match above a body-only match, with positive scores", async () => {
    const found = await hits("cengkih");
    assert.deepEqual(found.map((h) => h.article.slug), ["cengkih-judul", "cengkih-isi"]);
    assert.ok(found[0].score > found[1].score && found[1].score > 0, JSON.stringify(found.map((h) => h.score)));
  });

  it("finds the sample pages and marks the matched words in an escaped snippet", async () => {
    const found = await hits("putin kosmodrom");
    assert.equal(found[0].article.slug, "alinea-putin-kim-vostochny");
    assert.match(found[0].snippet, /<mark>Putin<\/mark>/);
    assert.match(found[0].snippet, /<mark>[Kk]osmodrom<\/mark>/);
    assert.ok(found[0].snippet.split(" ").length <= 40);

    const [skrip] = await hits("rendang");
    assert.equal(skrip.article.slug, "skrip");
    assert.ok(!skrip.snippet.includes("<script>"), skrip.snippet);
    assert.match(skrip.snippet, /&lt;script&gt;alert\(&#39;<mark>rendang<\/mark>&#39;\)&lt;\/script&gt;/);
    assert.match(skrip.snippet, /&amp; gulai/);
  });

  it("lets a client pick the highlight markup from a closed list", async () => {
    const res = await server.gql(`{ search(query: "rendang") { nodes { snippet(length: 8, highlight: STRONG) } } }`);
    assert.match(res.body.data.search.nodes[0].snippet, /<strong>rendang<\/strong>/);
    const bad = await server.gql(`{ search(query: "rendang") { nodes { snippet(highlight: "<img src=x>") } } }`);
    assert.equal(bad.body.errors?.[0]?.extensions?.code ?? "none", "GRAPHQL_VALIDATION_FAILED");
  });

  it("matches Indonesian affixes through the stemmer", async () => {
    const senjata = await slugs("senjata");
    for (const slug of ["persenjataan", "bersenjata", "alinea-putin-kim-vostochny", "korut-amunisi-rusia"]) assert.ok(senjata.includes(slug), `senjata → ${slug}: ${senjata.join(", ")}`);
    const [persenjataan] = (await hits("senjata")).filter((h) => h.article.slug === "persenjataan");
    assert.match(persenjataan.snippet, /<mark>persenjataan<\/mark>/);
    assert.ok((await slugs("tembak")).includes("menembakkan"));
    assert.ok((await slugs("Persenjataan")).includes("bersenjata"), "an affixed query word finds other forms too");
    assert.ok((await slugs("PÉRSENJATAAN")).includes("persenjataan"), "case and diacritics are folded");
  });

  it("supports prefixes and phrases", async () => {
    const prefix = await slugs("senja*");
    assert.ok(prefix.includes("senja") && prefix.includes("persenjataan"), String(prefix));
    const phrase = await slugs('"kim jong"');
    assert.ok(phrase.includes("alinea-putin-kim-vostochny"), String(phrase));
    assert.ok(!phrase.includes("kim-lalu-jong"), "a phrase needs the words in order");
    assert.ok((await slugs("kim jong")).includes("kim-lalu-jong"), "without quotes any order matches");
  });

  it("filters by tag, author and date range like articles", async () => {
    const q = "durian";
    assert.equal((await slugs(q)).length, 7);
    assert.deepEqual((await slugs(q, { filter: { tagSlugs: ["ekonomi-desa"] } })).sort(), ["durian-0", "durian-1", "durian-2"]);
    assert.deepEqual((await slugs(q, { filter: { authorSlug: "budi-santoso" } })).sort(), ["durian-1", "durian-3", "durian-5"]);
    assert.deepEqual(
      (await slugs(q, { filter: { publishedAfter: "2024-01-01T00:00:00Z", publishedBefore: "2024-07-01T00:00:00Z" } })).sort(),
      ["durian-4", "durian-5"],
    );
    const res = await search(q, { filter: { tagSlugs: ["politik-desa"], authorSlug: "ana-rahma" } });
    assert.equal(res.body.data.search.totalCount, 2);
    assert.ok(budi.id > 0 && ana.id > 0 && ekonomi.id > 0 && politik.id > 0);
  });

  it("pages without repeats or gaps, by relevance and by date", async () => {
    for (const orderBy of ["RELEVANCE", "NEWEST"]) {
      const seen: Hit[] = [];
      let afterCursor: string | null = null;
      for (let pages = 0; pages < 10; pages++) {
        const res = await search("durian", { first: 3, after: afterCursor, orderBy });
        assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
        const page = res.body.data.search;
        assert.equal(page.totalCount, 7);
        assert.equal(page.pageInfo.hasPreviousPage, afterCursor !== null);
        seen.push(...page.edges.map((e: { node: Hit }) => e.node));
        if (!page.pageInfo.hasNextPage) break;
        afterCursor = page.pageInfo.endCursor;
      }
      const seenSlugs = seen.map((h) => h.article.slug);
      assert.equal(new Set(seenSlugs).size, 7, `${orderBy}: ${seenSlugs.join(", ")}`);
      assert.deepEqual(seenSlugs, await slugs("durian", { first: 20, orderBy }), `${orderBy}: paging equals one big page`);
      if (orderBy === "NEWEST") {
        const dates = seen.map((h) => h.article.publishedAt);
        assert.deepEqual(dates, [...dates].sort().reverse());
      } else {
        const scores = seen.map((h) => h.score);
        assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
      }
    }
    const wrongCursor = await search("durian", { first: 3, orderBy: "RELEVANCE", after: (await search("durian", { first: 1, orderBy: "NEWEST" })).body.data.search.pageInfo.endCursor });
    assert.equal(wrongCursor.body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
  });

  it("never finds drafts, scheduled or deleted articles for anonymous readers", async () => {
    assert.deepEqual(await slugs("kelelawar"), ["kelelawar-terbit"]);
    const res = await search("kelelawar");
    assert.equal(res.body.data.search.totalCount, 1);
    server.clock.advance(2 * 86_400_000);
    try {
      assert.deepEqual((await slugs("kelelawar", { orderBy: "NEWEST" })).sort(), ["kelelawar-jadwal", "kelelawar-terbit"], "a scheduled article appears at its instant");
    } finally {
      server.clock.advance(-2 * 86_400_000);
    }
  });

  it("keeps the index in step when articles change or disappear", async () => {
    const ds = server.dataSource;
    const article = await makeArticle(ds, { slug: "kopi-luwak", title: "Kopi luwak", lead: "Mahal.", body: "Kopi luwak dari Lampung." });
    await indexAll(ds, [article]);
    assert.deepEqual(await slugs("luwak"), ["kopi-luwak"]);
    await indexAll(ds, [article], (m) => sqlQuery(m, `UPDATE articles SET title = 'Teh hijau', body = 'Teh hijau dari Garut.' WHERE id = ?`, [article.id]));
    assert.deepEqual(await slugs("teh garut"), ["kopi-luwak"]);
    assert.equal((await search("luwak")).body.data.search.totalCount, 0);
    await indexAll(ds, [article], (m) => sqlQuery(m, `DELETE FROM articles WHERE id = ?`, [article.id]));
    // FTS5 keys its rows by rowid; the PostgreSQL table by article_id.
    const [{ n }] = await sqlQuery(ds, `SELECT COUNT(*) AS n FROM article_search WHERE ${onPostgres ? "article_id" : "rowid"} = ?`, [article.id]);
    assert.equal(Number(n), 0);
  });

  it("keeps the document frequencies bm25 reads exact through every write (PostgreSQL)", onlyOn("postgres"), async () => {
    // article_search_terms is kept by the writers; it must equal a count over the index itself.
    const drift = await server.dataSource.query(`
      SELECT COALESCE(t.lexeme, c.lexeme) AS lexeme, t.documents AS kept, c.documents AS actual FROM article_search_terms t
      FULL JOIN (SELECT lexeme, COUNT(*) AS documents FROM article_search, unnest(tsvector_to_array(document)) lexeme GROUP BY lexeme) c
        ON c.lexeme = t.lexeme
      WHERE t.lexeme <> '' AND (c.documents IS NULL OR t.documents <> c.documents) OR t.lexeme IS NULL`);
    assert.deepEqual(drift, []);
    const [totals] = await server.dataSource.query(`SELECT documents, tokens FROM article_search_terms WHERE lexeme = ''`);
    const [actual] = await server.dataSource.query(`SELECT COUNT(*) AS documents, SUM(token_count) AS tokens FROM article_search`);
    assert.deepEqual([Number(totals.documents), Number(totals.tokens)], [Number(actual.documents), Number(actual.tokens)]);
    assert.ok(Number(totals.documents) > 30);
  });

  it("keeps each index row's live_at equal to its article's live instant through every write (PostgreSQL)", onlyOn("postgres"), async () => {
    // The public's search takes visibility from article_search.live_at alone.
    const drift = await server.dataSource.query(`
      SELECT s.article_id, s.live_at FROM article_search s LEFT JOIN articles a ON a.id = s.article_id
      WHERE s.live_at IS DISTINCT FROM CASE WHEN a.status = 'published' AND a.deleted_at IS NULL THEN a.published_at END`);
    assert.deepEqual(drift, []);
  });

  it("answers hostile input with a result or BAD_USER_INPUT, never a 500 or FTS text", async () => {
    const inputs = [
      '"', '""', '"senjata', 'senjata"', "'", "*", "**", "senjata*", "*senjata", "-", "-senjata", "NOT", "NOT senjata", "OR", "AND",
      "senjata OR", "OR senjata", "senjata AND OR NOT", "NEAR", "NEAR(senjata rusia)", "NEAR(senjata rusia, 2)", "(", ")", "((senjata)",
      "senjata)", "title:senjata", "body:", "{title}: senjata", "^senjata", "+senjata", "senjata:*", "🔫", "🔫 senjata 💥", "\u0000senjata",
      "senjata\u202e", "\\", "%", "_", "$1", "; DROP TABLE articles; --", "' OR 1=1 --", "a".repeat(10_000),
      "senjata ".repeat(1250), "\"".repeat(5000), "(".repeat(5000), "*".repeat(10_000), "kim-jong-un", "covid-19", "٣٤ senjata", "   ", "",
    ];
    for (const q of inputs) {
      const res = await search(q);
      const label = JSON.stringify(q.slice(0, 40));
      assert.equal(res.status, 200, `${label} → ${res.status}`);
      const text = JSON.stringify(res.body);
      assert.doesNotMatch(text, /fts5|syntax error|malformed|SQLITE|MATCH/i, `${label} leaked: ${text.slice(0, 200)}`);
      if (res.body.errors) {
        assert.equal(res.body.errors[0]?.extensions?.code, "BAD_USER_INPUT", `${label}: ${text.slice(0, 200)}`);
      } else {
        assert.ok(Array.isArray(res.body.data.search.edges), label);
      }
    }
    for (const q of ["", "   ", "!!! ???", "🔫", "-senjata", "NOT"]) {
      const res = await search(q);
      assert.equal(res.body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", JSON.stringify(q));
      assert.equal(res.body.errors?.[0]?.message, "query has no searchable words");
    }
  });

  it("reads a public results page with its authors and tags in one statement where the index keeps live_at, the tags the tag loader gives", async () => {
    const RESULTS = `query($q: String!, $first: Int, $filter: ArticleFilter) {
      search(query: $q, first: $first, filter: $filter) { nodes { score article { slug title author { name } tags { slug name } } } }
    }`;
    // PostgreSQL counts corpus statistics for new words once; a page of another size is not a cached answer.
    await server.gql(RESULTS, { q: "durian", first: 1 });
    const page = await server.gql(RESULTS, { q: "durian" });
    assert.equal(page.body.errors, undefined, JSON.stringify(page.body.errors));
    // FTS5 rows hold no live_at: SQLite ranks articles it has read, and tags come from their loader.
    assert.equal(page.statements, onPostgres ? 1 : 2);
    const nodes: { article: { slug: string; tags: { slug: string }[] } }[] = page.body.data.search.nodes;
    assert.equal(nodes.length, 7);
    for (const { article } of nodes) {
      const i = Number(article.slug.replace("durian-", ""));
      assert.deepEqual(article.tags.map((t) => t.slug), [i < 3 ? ekonomi.slug : politik.slug], article.slug);
    }
    // A filtered search ranks articles it has read (no chips): the same answer through the loaders.
    const filtered = await server.gql(RESULTS, { q: "durian", filter: { publishedAfter: "2000-01-01T00:00:00Z" } });
    assert.equal(filtered.statements, 2);
    assert.deepEqual(filtered.body.data, page.body.data);
  });

  it("runs a constant number of statements however many hits a page has", async () => {
    // On PostgreSQL the first search of new words also counts corpus statistics for bm25 (one
    // statement for the corpus, one per phrase; fts.postgres.ts keeps them until the next
    // write). Bounded by the query, not the hits; counted once here so the pages compare alike.
    const cold = await search("senjata OR durian OR kelelawar", { first: 2 });
    assert.ok(cold.statements <= 3 + 1 + 3, `cold: ${cold.statements}`);
    const counts: number[] = [];
    for (const first of [1, 5, 12]) {
      const res = await search("senjata OR durian OR kelelawar", { first });
      assert.equal(res.body.errors, undefined);
      assert.equal(res.body.data.search.edges.length, first);
      counts.push(res.statements);
    }
    assert.equal(new Set(counts).size, 1, String(counts));
    assert.ok(counts[0] <= 3, `page + count + tags, got ${counts[0]}`);
  });
});

describe("search highlight configuration", () => {
  it("uses the server's configured markers", async () => {
    const server = await startTestServer({ env: { SEARCH_HIGHLIGHT_OPEN: "[[", SEARCH_HIGHLIGHT_CLOSE: "]]" } });
    try {
      const article = await makeArticle(server.dataSource, { title: "Nasi goreng", lead: "Enak.", body: "Nasi goreng kampung <pedas>." });
      await indexAll(server.dataSource, [article]);
      const res = await server.gql(`{ search(query: "goreng") { nodes { snippet } } }`);
      assert.equal(res.body.data.search.nodes[0].snippet, "Enak. Nasi [[goreng]] kampung &lt;pedas&gt;.");
    } finally {
      await server.close();
    }
  });
});

describe("search live_at migration (PostgreSQL)", () => {
  it("fills live_at on a database indexed before it, and the public's search reads it", onlyOn("postgres"), async () => {
    const server = await startTestServer();
    try {
      const ds = server.dataSource;
      const now = server.clock.now().getTime();
      const hour = 3_600_000;
      const states = {
        draft: await makeArticle(ds, { slug: "lama-draft", body: "Arsip lama.", status: "draft", publishedAt: null }),
        scheduled: await makeArticle(ds, { slug: "lama-scheduled", body: "Arsip lama.", publishedAt: new Date(now + hour) }),
        published: await makeArticle(ds, { slug: "lama-published", body: "Arsip lama.", publishedAt: new Date(now - hour) }),
        deleted: await makeArticle(ds, { slug: "lama-deleted", body: "Arsip lama.", publishedAt: new Date(now - 2 * hour), deletedAt: new Date(now - hour) }),
      };
      await indexAll(ds, Object.values(states));
      // The index as a database had it before the migration, with content.
      await ds.query(`ALTER TABLE article_search DROP COLUMN live_at`);
      const runner = ds.createQueryRunner();
      try {
        await new ArticleSearchLiveAt1732700000620().up(runner);
      } finally {
        await runner.release();
      }
      const rows: { article_id: number; live_at: Date | null }[] = await ds.query(`SELECT article_id, live_at FROM article_search`);
      const liveAt = Object.fromEntries(rows.map((r) => [Number(r.article_id), r.live_at?.toISOString() ?? null]));
      assert.deepEqual(
        Object.fromEntries(Object.entries(states).map(([state, article]) => [state, liveAt[article.id]])),
        { draft: null, scheduled: new Date(now + hour).toISOString(), published: new Date(now - hour).toISOString(), deleted: null },
      );
      const found = async () => (await server.gql(`{ search(query: "arsip") { totalCount nodes { article { slug } } } }`)).body.data.search;
      assert.deepEqual(await found(), { totalCount: 1, nodes: [{ article: { slug: "lama-published" } }] });
      server.clock.advance(hour);
      assert.deepEqual(await found(), { totalCount: 2, nodes: [{ article: { slug: "lama-scheduled" } }, { article: { slug: "lama-published" } }] });
    } finally {
      await server.close();
    }
  });
});
