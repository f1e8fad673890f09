import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { feedsConfigFromEnv } from "../../src/feeds/feeds.config";
import { SiteUrls } from "../../src/feeds/site-urls";
import { rfc822, w3c } from "../../src/feeds/zone-time";

const at = (iso: string) => new Date(iso);

describe("feed dates in the article's own zone", () => {
  test("RFC 822 for RSS, with the zone's offset", () => {
    assert.equal(rfc822(at("2023-09-13T12:59:00Z"), "Asia/Jakarta"), "Wed, 13 Sep 2023 19:59:00 +0700");
    assert.equal(rfc822(at("2023-09-13T12:59:00Z"), "Asia/Makassar"), "Wed, 13 Sep 2023 20:59:00 +0800");
    assert.equal(rfc822(at("2023-09-13T12:59:00Z"), "Asia/Jayapura"), "Wed, 13 Sep 2023 21:59:00 +0900");
    assert.equal(rfc822(at("2023-09-13T12:59:00Z"), "UTC"), "Wed, 13 Sep 2023 12:59:00 +0000");
    // The local date, not the UTC one: 01:20 WIB on the 26th.
    assert.equal(rfc822(at("2024-04-25T18:20:00Z"), "Asia/Jakarta"), "Fri, 26 Apr 2024 01:20:00 +0700");
  });

  test("W3C for sitemaps, Atom and JSON Feed; odd offsets and daylight saving", () => {
    assert.equal(w3c(at("2023-09-13T12:59:00Z"), "Asia/Jakarta"), "2023-09-13T19:59:00+07:00");
    assert.equal(w3c(at("2023-09-13T12:59:00Z"), "Asia/Kolkata"), "2023-09-13T18:29:00+05:30");
    assert.equal(w3c(at("2023-01-15T12:00:00Z"), "America/New_York"), "2023-01-15T07:00:00-05:00");
    assert.equal(w3c(at("2023-07-15T12:00:00Z"), "America/New_York"), "2023-07-15T08:00:00-04:00");
    assert.equal(w3c(at("2023-12-31T17:00:00Z"), "Asia/Jakarta"), "2024-01-01T00:00:00+07:00", "midnight is 00, not 24");
    // Either side of a transition (offsets are remembered per quarter hour).
    assert.equal(w3c(at("2023-03-12T06:59:59Z"), "America/New_York"), "2023-03-12T01:59:59-05:00");
    assert.equal(w3c(at("2023-03-12T07:00:00Z"), "America/New_York"), "2023-03-12T03:00:00-04:00");
    assert.equal(w3c(at("2023-04-01T23:15:00Z"), "Asia/Kathmandu"), "2023-04-02T05:00:00+05:45");
  });

  test("an unknown zone falls back to UTC instead of failing the feed", () => {
    assert.equal(rfc822(at("2023-09-13T12:59:00Z"), "Mars/Olympus_Mons"), "Wed, 13 Sep 2023 12:59:00 +0000");
  });
});

describe("article URLs from ARTICLE_URL_TEMPLATE", () => {
  const urls = (template: string) => new SiteUrls({ ...feedsConfigFromEnv({ PUBLIC_SITE_URL: "https://news.example.id", ARTICLE_URL_TEMPLATE: template }), siteUrl: "https://news.example.id" });
  const article = { id: 42, slug: "timnas-menang", publishedAt: at("2024-04-25T18:20:00Z"), createdAt: at("2024-04-20T00:00:00Z"), timeZone: "Asia/Jakarta" };

  test("fills every placeholder, the date in the article's zone", () => {
    assert.equal(urls("{site}/{slug}").article(article, "olahraga"), "https://news.example.id/timnas-menang");
    assert.equal(urls("{site}/{tag}/{yyyy}/{mm}/{dd}/{id}-{slug}").article(article, "olahraga"), "https://news.example.id/olahraga/2024/04/26/42-timnas-menang");
    assert.equal(urls("{site}/read/{id}").article({ ...article, timeZone: "UTC" }, null), "https://news.example.id/read/42");
  });

  test("an untagged article loses the {tag} segment rather than getting //", () => {
    assert.equal(urls("{site}/{tag}/{slug}").article(article, null), "https://news.example.id/timnas-menang");
  });

  test("ids are tag URIs that do not change with the slug", () => {
    const u = urls("{site}/{slug}");
    assert.equal(u.articleId(article), "tag:news.example.id,2024-04-20:article:42");
    assert.equal(u.articleId({ ...article, slug: "other" } as never), u.articleId(article));
  });
});

describe("feed settings", () => {
  test("defaults, and off without PUBLIC_SITE_URL", () => {
    const off = feedsConfigFromEnv({});
    assert.equal(off.siteUrl, null);
    assert.equal(off.articleUrlTemplate, "{site}/{slug}");
    assert.equal(off.language, "id");
    assert.equal(off.fullText, false);
    const on = feedsConfigFromEnv({ PUBLIC_SITE_URL: "https://news.example.id/", FEED_FULL_TEXT: "true" });
    assert.equal(on.siteUrl, "https://news.example.id");
    assert.equal(on.publicationName, "news.example.id");
    assert.equal(on.fullText, true);
    assert.equal(on.sitemapUrlsPerFile, 10_000);
  });

  test("refuses what would produce broken feeds, at start", () => {
    assert.throws(() => feedsConfigFromEnv({ PUBLIC_SITE_URL: "news.example.id" }), /PUBLIC_SITE_URL/);
    assert.throws(() => feedsConfigFromEnv({ PUBLIC_SITE_URL: "https://x.id", ARTICLE_URL_TEMPLATE: "{site}/{judul}" }), /unknown placeholder \{judul\}/);
    assert.throws(() => feedsConfigFromEnv({ PUBLIC_SITE_URL: "https://x.id", ARTICLE_URL_TEMPLATE: "{site}/berita" }), /\{slug\} or \{id\}/);
    assert.throws(() => feedsConfigFromEnv({ PUBLIC_SITE_URL: "https://x.id", TAG_URL_TEMPLATE: "{site}/{tag}/{slug}" }), /TAG_URL_TEMPLATE/);
    assert.throws(() => feedsConfigFromEnv({ PUBLICATION_LANGUAGE: "bahasa indonesia" }), /PUBLICATION_LANGUAGE/);
    assert.throws(() => feedsConfigFromEnv({ SITEMAP_URLS_PER_FILE: "50001" }), /SITEMAP_URLS_PER_FILE/);
    assert.throws(() => feedsConfigFromEnv({ FEED_FULL_TEXT: "maybe" }), /FEED_FULL_TEXT/);
  });
});
