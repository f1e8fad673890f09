import { setImmediate as nextTurn } from "node:timers/promises";
import { createCB } from "xmlbuilder2";
import type { XMLBuilderCB } from "xmlbuilder2/lib/interfaces";

/**
 * Sitemaps (sitemaps.org 0.9, Google News 0.9), written with xmlbuilder2's streaming builder.
 * A file may hold 50,000 URLs, which takes xmlbuilder2 seconds of CPU on a busy machine, so the
 * writer gives the event loop a turn every few hundred URLs: other requests keep flowing while a
 * big sitemap is built (and the result is cached).
 */
const SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9";
const ROWS_PER_TURN = 500;

// The streaming builder does not sanitize like the DOM one: characters XML 1.0 cannot carry
// (control characters, lone surrogates) become U+FFFD before they reach it.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
export const xmlText = (text: string): string => text.replace(NOT_XML_CHAR, "\uFFFD");

async function writeXml(root: string, attributes: Record<string, string>, rows: number, writeRow: (xml: XMLBuilderCB, index: number) => void): Promise<string> {
  const chunks: string[] = [];
  let failure: Error | null = null;
  const xml = createCB({ data: (chunk: string) => void chunks.push(chunk), error: (error: Error) => void (failure ??= error), prettyPrint: false });
  xml.dec({ version: "1.0", encoding: "UTF-8" }).ele(root, attributes);
  for (let i = 0; i < rows; i++) {
    if (i > 0 && i % ROWS_PER_TURN === 0) await nextTurn();
    writeRow(xml, i);
  }
  xml.up().end();
  if (failure) throw failure;
  return chunks.join("");
}

export interface UrlEntry {
  loc: string;
  /** W3C datetime with offset. */
  lastmod: string;
}

export function renderUrlset(entries: UrlEntry[]): Promise<string> {
  return writeXml("urlset", { xmlns: SITEMAP_NS }, entries.length, (xml, i) => {
    xml.ele("url").ele("loc").txt(xmlText(entries[i].loc)).up().ele("lastmod").txt(entries[i].lastmod).up().up();
  });
}

export function renderSitemapIndex(entries: UrlEntry[]): Promise<string> {
  return writeXml("sitemapindex", { xmlns: SITEMAP_NS }, entries.length, (xml, i) => {
    xml.ele("sitemap").ele("loc").txt(xmlText(entries[i].loc)).up().ele("lastmod").txt(entries[i].lastmod).up().up();
  });
}

export interface NewsEntry {
  loc: string;
  title: string;
  /** W3C datetime in the article's zone. */
  publicationDate: string;
}

export function renderNewsSitemap(publication: { name: string; language: string }, entries: NewsEntry[]): Promise<string> {
  const name = xmlText(publication.name);
  return writeXml("urlset", { xmlns: SITEMAP_NS, "xmlns:news": NEWS_NS }, entries.length, (xml, i) => {
    const entry = entries[i];
    xml.ele("url").ele("loc").txt(xmlText(entry.loc)).up();
    xml.ele("news:news");
    xml.ele("news:publication").ele("news:name").txt(name).up().ele("news:language").txt(publication.language).up().up();
    xml.ele("news:publication_date").txt(entry.publicationDate).up();
    xml.ele("news:title").txt(xmlText(entry.title)).up();
    xml.up().up();
  });
}
