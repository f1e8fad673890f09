import { setImmediate as nextTurn } from "node:timers/promises";
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces";

/**
 * Sitemaps (sitemaps.org 0.9, Google News 0.9) with xmlbuilder2's document builder, which escapes
 * text and replaces characters XML 1.0 cannot carry. xmlbuilder2 costs tens of microseconds per
 * element (its streaming builder is several times slower still), so the builder gives the event
 * loop a turn every few hundred URLs; only the final serialization runs in one piece, which is
 * why files hold SITEMAP_URLS_PER_FILE (10,000 by default) rather than the protocol's 50,000.
 */
const SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9";
const ROWS_PER_TURN = 500;
const REPLACEMENT = "\uFFFD";

async function writeXml(root: string, namespaces: Record<string, string>, rows: number, writeRow: (parent: XMLBuilder, index: number) => void): Promise<string> {
  const doc = create({ version: "1.0", encoding: "UTF-8", invalidCharReplacement: REPLACEMENT }).ele(SITEMAP_NS, root, namespaces);
  for (let i = 0; i < rows; i++) {
    if (i > 0 && i % ROWS_PER_TURN === 0) await nextTurn();
    writeRow(doc, i);
  }
  return doc.end({ prettyPrint: false });
}

export interface UrlEntry {
  loc: string;
  /** W3C datetime with offset. */
  lastmod: string;
}

export function renderUrlset(entries: UrlEntry[]): Promise<string> {
  return writeXml("urlset", {}, entries.length, (parent, i) => {
    const url = parent.ele("url");
    url.ele("loc").txt(entries[i].loc);
    url.ele("lastmod").txt(entries[i].lastmod);
  });
}

export function renderSitemapIndex(entries: UrlEntry[]): Promise<string> {
  return writeXml("sitemapindex", {}, entries.length, (parent, i) => {
    const sitemap = parent.ele("sitemap");
    sitemap.ele("loc").txt(entries[i].loc);
    sitemap.ele("lastmod").txt(entries[i].lastmod);
  });
}

export interface NewsEntry {
  loc: string;
  title: string;
  /** W3C datetime in the article's zone. */
  publicationDate: string;
}

export function renderNewsSitemap(publication: { name: string; language: string }, entries: NewsEntry[]): Promise<string> {
  return writeXml("urlset", { "xmlns:news": NEWS_NS }, entries.length, (parent, i) => {
    const url = parent.ele("url");
    url.ele("loc").txt(entries[i].loc);
    const news = url.ele(NEWS_NS, "news:news");
    const pub = news.ele(NEWS_NS, "news:publication");
    pub.ele(NEWS_NS, "news:name").txt(publication.name);
    pub.ele(NEWS_NS, "news:language").txt(publication.language);
    news.ele(NEWS_NS, "news:publication_date").txt(entries[i].publicationDate);
    news.ele(NEWS_NS, "news:title").txt(entries[i].title);
  });
}
