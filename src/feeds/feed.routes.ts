import type { IncomingMessage, ServerResponse } from "node:http";
import type { DataSource } from "typeorm";
import { chargeReads, type ReadDatabase } from "../db/read-database";
import type { Clock } from "../clock";
import type { AppConfig } from "../config";
import type { RequestScope } from "../db/request-scope";
import { ARTICLE_LISTS_KEY, listKeyOf } from "../events/content-events";
import { CACHE_HINTS, etagMatches } from "../http/caching";
import type { Logger } from "../http/request-log";
import { anonymous } from "../viewer";
import { FeedCache, type FeedResponse, type ProducedResponse } from "./feed-cache";
import { buildFeedDocument, feedKeys, type FeedFormat } from "./feed-document";
import { renderAtom, renderJsonFeed, renderRss } from "./feed.format";
import { createFeedReader, type FeedReader, type FeedScope } from "./feed.reader";
import { renderNewsSitemap, renderSitemapIndex, renderUrlset, type UrlEntry } from "./sitemap.format";
import { SiteUrls } from "./site-urls";
import { w3c } from "./zone-time";

/**
 * GET /feeds/... and /sitemaps/... (README "Feeds and sitemaps"). Everything is read as the
 * anonymous public at the request's `now`, so drafts, scheduled and deleted articles never show.
 */
export interface FeedRoutes {
  matches(pathname: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, url: URL, scope: RequestScope): Promise<void>;
  /** Drops cached responses for content-event keys heard from elsewhere (another instance's writes). */
  invalidate(keys: readonly string[]): void;
  close(): void;
}

export interface FeedRoutesOptions {
  config: AppConfig;
  /** The writing data source: its commits carry the content events that invalidate. */
  dataSource: DataSource;
  readDataSource: DataSource;
  /** Where feed pages read, like the GraphQL loaders. */
  reader: ReadDatabase;
  clock: Clock;
  logger: Logger;
}

export const FEED_DEFAULT_LIMIT = 50;
export const FEED_MAX_LIMIT = 100;
/** Google News reads articles from the last two days, at most 1,000 per sitemap. */
export const NEWS_WINDOW_MS = 48 * 3_600_000;
export const NEWS_MAX_URLS = 1_000;

const CONTENT_TYPES: Record<FeedFormat | "sitemap", string> = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
  sitemap: "application/xml; charset=utf-8",
};
const FORMAT_OF_FILE: Record<string, FeedFormat> = { "rss.xml": "rss", "atom.xml": "atom", "feed.json": "json" };

type Route =
  | { kind: "feed"; format: FeedFormat; scope: { kind: "tag" | "author"; slug: string } | null }
  | { kind: "news" }
  | { kind: "index" }
  | { kind: "month"; year: number; month: number; page: number }
  | { kind: "pages"; of: "tag" | "author"; page: number };

function parseRoute(pathname: string): Route | null {
  let m = /^\/feeds\/(rss\.xml|atom\.xml|feed\.json)$/.exec(pathname);
  if (m) return { kind: "feed", format: FORMAT_OF_FILE[m[1]], scope: null };
  m = /^\/feeds\/(tag|author)\/([^/]{1,200})\/(rss\.xml|atom\.xml|feed\.json)$/.exec(pathname);
  if (m) {
    let slug: string;
    try {
      slug = decodeURIComponent(m[2]);
    } catch {
      return null;
    }
    return { kind: "feed", format: FORMAT_OF_FILE[m[3]], scope: { kind: m[1] as "tag" | "author", slug } };
  }
  if (pathname === "/sitemaps/news.xml") return { kind: "news" };
  if (pathname === "/sitemaps/index.xml") return { kind: "index" };
  // Page 1 has no suffix; "-1" is not a second name for it.
  m = /^\/sitemaps\/articles-(\d{4})-(0[1-9]|1[0-2])(?:-([2-9]|[1-9]\d{1,5}))?\.xml$/.exec(pathname);
  if (m) return { kind: "month", year: Number(m[1]), month: Number(m[2]), page: m[3] ? Number(m[3]) : 1 };
  m = /^\/sitemaps\/(tags|authors)(?:-([2-9]|[1-9]\d{1,5}))?\.xml$/.exec(pathname);
  if (m) return { kind: "pages", of: m[1] === "tags" ? "tag" : "author", page: m[2] ? Number(m[2]) : 1 };
  return null;
}

/** `?limit`: absent → 50; a whole number 1–100 → it; anything else is the client's mistake. */
function parseLimit(url: URL): number | string {
  const values = url.searchParams.getAll("limit");
  if (values.length === 0) return FEED_DEFAULT_LIMIT;
  if (values.length > 1 || !/^[1-9]\d{0,2}$/.test(values[0]) || Number(values[0]) > FEED_MAX_LIMIT) {
    return `limit must be a whole number from 1 to ${FEED_MAX_LIMIT}`;
  }
  return Number(values[0]);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string>) {
  const body = `${text}\n`;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": String(Buffer.byteLength(body)), "cache-control": "no-store", ...headers });
  res.end(body);
}

/** The max-age GraphQL would give a query selecting these types (CACHE_HINTS, else the default). */
function maxAgeOf(config: AppConfig, types: string[]): number {
  return Math.min(...types.map((type) => CACHE_HINTS.types[type] ?? config.cache.maxAgeSeconds));
}

/** RFC 9110: If-None-Match wins; If-Modified-Since only counts without it. */
function notModified(req: IncomingMessage, response: FeedResponse): boolean {
  const ifNoneMatch = req.headers["if-none-match"];
  if (ifNoneMatch) return etagMatches(ifNoneMatch, response.etag);
  const since = Date.parse(String(req.headers["if-modified-since"] ?? ""));
  return !Number.isNaN(since) && response.lastModified <= since;
}

export async function createFeedRoutes(options: FeedRoutesOptions): Promise<FeedRoutes> {
  const { config, readDataSource, clock, logger } = options;
  const settings = config.feeds;
  const matches = (pathname: string) => pathname.startsWith("/feeds/") || pathname.startsWith("/sitemaps/");
  const siteUrl = settings.siteUrl;

  if (!siteUrl) {
    logger.info("feeds and sitemaps are off: set PUBLIC_SITE_URL to serve /feeds/ and /sitemaps/");
    return {
      matches,
      async handle(req, res, _url, scope) {
        req.resume();
        sendText(res, 404, "feeds and sitemaps are off on this server: PUBLIC_SITE_URL is not set", { "x-request-id": scope.requestId });
      },
      invalidate() {},
      close() {},
    };
  }

  const urls = new SiteUrls({ ...settings, siteUrl });
  const cache = await FeedCache.start({ enabled: config.cache.responseCache, maxBytes: settings.cacheMaxBytes, writer: options.dataSource, reader: readDataSource, clock });
  const feedMaxAge = maxAgeOf(config, ["Article", "Author", "Tag"]);
  const articleMaxAge = maxAgeOf(config, ["Article"]);
  const perFile = settings.sitemapUrlsPerFile;
  // Sitemaps print every listed article's lastmod (and maybe its first tag): any article change
  // can alter them, so they depend on whole kinds; their Surrogate-Key lists only the list keys,
  // which keeps the header short (an edit reaches a CDN copy within max-age).
  const articleDeps = [ARTICLE_LISTS_KEY, "article:*", ...(urls.needsTag ? ["tag:*"] : [])];

  async function produceFeed(reader: FeedReader, route: Extract<Route, { kind: "feed" }>, limit: number): Promise<ProducedResponse | null> {
    let scope: FeedScope | null = { kind: "all" };
    if (route.scope) scope = await reader.findScope(route.scope.kind, route.scope.slug);
    if (!scope) return null;
    const entries = await reader.entries(scope, limit);
    const doc = buildFeedDocument(settings, urls, scope, entries);
    const body = route.format === "rss" ? renderRss(doc) : route.format === "atom" ? renderAtom(doc) : renderJsonFeed(doc);
    const keys = feedKeys(scope, entries);
    return { body, contentType: CONTENT_TYPES[route.format], surrogateKeys: keys, deps: keys, maxAge: feedMaxAge };
  }

  async function produceNews(reader: FeedReader, now: Date): Promise<ProducedResponse> {
    const rows = await reader.sitemapArticles({ publishedAfter: new Date(now.getTime() - NEWS_WINDOW_MS) }, "newest", { offset: 0, limit: NEWS_MAX_URLS }, urls.needsTag);
    const body = await renderNewsSitemap(
      { name: settings.publicationName, language: settings.language },
      rows.map((row) => ({ loc: urls.article(row, row.firstTagSlug), title: row.title, publicationDate: w3c(row.publishedAt, row.timeZone) })),
    );
    // The file changes when its oldest item leaves the window, with no event to say so.
    const oldest = rows.at(-1);
    return {
      body,
      contentType: CONTENT_TYPES.sitemap,
      surrogateKeys: [ARTICLE_LISTS_KEY],
      deps: articleDeps,
      maxAge: articleMaxAge,
      ...(oldest ? { expiresAt: oldest.publishedAt.getTime() + NEWS_WINDOW_MS } : {}),
    };
  }

  async function produceIndex(reader: FeedReader): Promise<ProducedResponse> {
    const counts = await reader.indexCounts();
    const entries: UrlEntry[] = [];
    const files = (name: string, count: number, lastmod: Date) => {
      for (let page = 1; page <= Math.ceil(count / perFile); page++) {
        entries.push({ loc: urls.own(`/sitemaps/${name}${page > 1 ? `-${page}` : ""}.xml`), lastmod: w3c(lastmod, "UTC") });
      }
    };
    for (const month of counts.months) files(`articles-${month.month}`, month.count, month.lastmod);
    if (counts.tags.lastmod) files("tags", counts.tags.count, counts.tags.lastmod);
    if (counts.authors.lastmod) files("authors", counts.authors.count, counts.authors.lastmod);
    return {
      body: await renderSitemapIndex(entries),
      contentType: CONTENT_TYPES.sitemap,
      surrogateKeys: [ARTICLE_LISTS_KEY, listKeyOf("tag"), listKeyOf("author")],
      deps: [ARTICLE_LISTS_KEY, "article:*", listKeyOf("tag"), "tag:*", listKeyOf("author"), "author:*"],
      maxAge: articleMaxAge,
    };
  }

  async function produceMonth(reader: FeedReader, route: Extract<Route, { kind: "month" }>): Promise<ProducedResponse | null> {
    const from = new Date(Date.UTC(route.year, route.month - 1, 1));
    const to = new Date(Date.UTC(route.year, route.month, 1));
    const rows = await reader.sitemapArticles({ publishedAfter: from, publishedBefore: to }, "oldest", { offset: (route.page - 1) * perFile, limit: perFile }, urls.needsTag);
    if (rows.length === 0) return null;
    const body = await renderUrlset(rows.map((row) => ({ loc: urls.article(row, row.firstTagSlug), lastmod: w3c(row.updatedAt, row.timeZone) })));
    return { body, contentType: CONTENT_TYPES.sitemap, surrogateKeys: [ARTICLE_LISTS_KEY], deps: articleDeps, maxAge: articleMaxAge };
  }

  async function producePages(reader: FeedReader, route: Extract<Route, { kind: "pages" }>): Promise<ProducedResponse | null> {
    const rows = await reader.sitemapPages(route.of, { offset: (route.page - 1) * perFile, limit: perFile });
    if (rows.length === 0) return null;
    const pageUrl = route.of === "tag" ? (row: { id: number; slug: string }) => urls.tag(row) : (row: { id: number; slug: string }) => urls.author(row);
    const body = await renderUrlset(rows.map((row) => ({ loc: pageUrl(row), lastmod: w3c(row.lastmod, "UTC") })));
    return {
      body,
      contentType: CONTENT_TYPES.sitemap,
      surrogateKeys: [listKeyOf(route.of), ARTICLE_LISTS_KEY],
      // lastmod is the newest live article's publication or the page's own update: membership and renames.
      deps: [listKeyOf(route.of), `${route.of}:*`, ARTICLE_LISTS_KEY],
      maxAge: maxAgeOf(config, ["Article", route.of === "tag" ? "Tag" : "Author"]),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, scope: RequestScope): Promise<void> {
    req.resume();
    const base = { "x-request-id": scope.requestId };
    if (req.method !== "GET" && req.method !== "HEAD") return sendText(res, 405, "feeds and sitemaps are read with GET", { ...base, allow: "GET, HEAD" });
    const route = parseRoute(url.pathname);
    if (!route) return sendText(res, 404, "no such feed or sitemap", base);
    let limit = FEED_DEFAULT_LIMIT;
    if (route.kind === "feed") {
      const parsed = parseLimit(url);
      if (typeof parsed === "string") return sendText(res, 400, parsed, base);
      limit = parsed;
    }

    const now = clock.now();
    const reader = createFeedReader({ db: chargeReads(options.reader, scope), viewer: anonymous, now });
    let key: string;
    let produce: () => Promise<ProducedResponse | null>;
    switch (route.kind) {
      case "feed":
        key = `feed|${route.format}|${route.scope?.kind ?? "all"}|${route.scope?.slug ?? ""}|${limit}`;
        produce = () => produceFeed(reader, route, limit);
        break;
      case "news":
        key = "sitemap|news";
        produce = () => produceNews(reader, now);
        break;
      case "index":
        key = "sitemap|index";
        produce = () => produceIndex(reader);
        break;
      case "month":
        key = `sitemap|month|${route.year}-${route.month}|${route.page}`;
        produce = () => produceMonth(reader, route);
        break;
      case "pages":
        key = `sitemap|${route.of}|${route.page}`;
        produce = () => producePages(reader, route);
        break;
    }
    const response = await cache.get(key, now, produce);
    if (!response) {
      const what = route.kind === "feed" ? (route.scope?.kind === "tag" ? "no such tag" : "no such author") : "no such sitemap";
      return sendText(res, 404, what, base);
    }

    const headers: Record<string, string> = {
      ...base,
      "content-type": response.contentType,
      "cache-control": `max-age=${response.maxAge}, public`,
      etag: response.etag,
      "last-modified": new Date(response.lastModified).toUTCString(),
      "surrogate-key": response.surrogateKeys.join(" "),
      "x-content-type-options": "nosniff",
    };
    if (!config.production) headers["x-sql-statements"] = String(scope.statements);
    if (notModified(req, response)) {
      delete headers["content-type"];
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, "content-length": String(response.body.length) });
    res.end(req.method === "HEAD" ? undefined : response.body);
  }

  return { matches, handle, invalidate: (keys) => cache.invalidate(keys), close: () => cache.close() };
}
