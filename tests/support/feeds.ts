import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import Parser from "rss-parser";
import type { TestServer } from "./server";

export const SITE = "https://news.example.id";

export interface FetchedFeed {
  status: number;
  headers: Headers;
  text: string;
  /** x-sql-statements: what this request ran (0 when served from the feed cache). */
  statements: number;
}

export function origin(server: TestServer): string {
  return server.url.replace(/\/graphql$/, "");
}

export async function fetchFeed(server: TestServer, path: string, init: RequestInit = {}): Promise<FetchedFeed> {
  const res = await fetch(origin(server) + path, init);
  return { status: res.status, headers: res.headers, text: await res.text(), statements: Number(res.headers.get("x-sql-statements") ?? NaN) };
}

/** Item fields rss-parser leaves out by default: Media RSS, Atom categories and dates. */
export type ParsedItem = Parser.Item & {
  creator?: string;
  media?: { $: Record<string, string>; "media:description"?: { _: string; $: Record<string, string> }[] }[];
  atomCategories?: { $: { term: string; label: string } }[];
  published?: string;
  updated?: string;
  id?: string;
  author?: string;
};

const feedParser = new Parser<Record<string, unknown>, ParsedItem>({
  customFields: { item: [["media:content", "media", { keepArray: true }], ["category", "atomCategories", { keepArray: true }], "published", "updated"] as never },
});

/** RSS or Atom, through a maintained feed parser; fails the test on a body it cannot parse. */
export async function parseFeed(server: TestServer, path: string): Promise<Parser.Output<ParsedItem> & { response: FetchedFeed }> {
  const response = await fetchFeed(server, path);
  assert.equal(response.status, 200, `${path}: ${response.text}`);
  assert.equal(XMLValidator.validate(response.text), true, `${path} is not well-formed XML`);
  return { ...(await feedParser.parseString(response.text)), response };
}

export interface JsonFeedItem {
  id: string;
  url: string;
  title: string;
  summary: string;
  content_text?: string;
  content_html?: string;
  image?: string;
  date_published: string;
  date_modified: string;
  authors: { name: string; url: string }[];
  tags: string[];
  _media?: { image_caption: string };
}

/** JSON Feed 1.1: JSON.parse and the shape the spec requires of every feed and item. */
export async function parseJsonFeed(server: TestServer, path: string): Promise<{ title: string; feed_url: string; home_page_url: string; language: string; items: JsonFeedItem[] }> {
  const response = await fetchFeed(server, path);
  assert.equal(response.status, 200, `${path}: ${response.text}`);
  assert.match(response.headers.get("content-type") ?? "", /^application\/feed\+json/);
  const feed = JSON.parse(response.text);
  assert.equal(feed.version, "https://jsonfeed.org/version/1.1");
  assert.equal(typeof feed.title, "string");
  assert.ok(Array.isArray(feed.items));
  const ids = new Set<string>();
  for (const item of feed.items) {
    assert.equal(typeof item.id, "string");
    assert.ok(!ids.has(item.id), `duplicate item id ${item.id}`);
    ids.add(item.id);
    assert.ok(typeof item.content_text === "string" || typeof item.content_html === "string", "every item needs content_text or content_html");
    assert.match(item.date_published, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    assert.ok(Array.isArray(item.authors) && item.authors.every((a: { name?: unknown }) => typeof a.name === "string"));
  }
  return feed;
}

const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => name === "url" || name === "sitemap" });

/** A sitemap through fast-xml-parser: its <url> or <sitemap> entries. */
export async function parseSitemap(server: TestServer, path: string): Promise<{ entries: Record<string, any>[]; response: FetchedFeed }> {
  const response = await fetchFeed(server, path);
  assert.equal(response.status, 200, `${path}: ${response.text}`);
  assert.equal(XMLValidator.validate(response.text), true, `${path} is not well-formed XML`);
  const doc = xml.parse(response.text);
  const entries = doc.urlset?.url ?? doc.sitemapindex?.sitemap ?? [];
  return { entries, response };
}

/** The path part of a URL on the public site, to fetch a sitemap the index lists. */
export function sitePath(url: string): string {
  assert.ok(url.startsWith(SITE), `${url} is not on ${SITE}`);
  return url.slice(SITE.length);
}
