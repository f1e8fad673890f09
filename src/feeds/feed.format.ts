import { create, fragment } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces";
import type { FeedDocument, FeedItem } from "./feed-document";
import { rfc822, w3c } from "./zone-time";

/**
 * RSS 2.0, Atom 1.0 and JSON Feed 1.1 from one FeedDocument. The `feed` package writes every
 * date with toUTCString()/toISOString() (GMT, never the article's +0700) and cannot declare the
 * Media RSS namespace, so the XML is built with xmlbuilder2, which escapes text and attributes
 * and replaces characters XML 1.0 cannot carry (a control character in a title) with U+FFFD.
 */
const XML_OPTIONS = { version: "1.0", encoding: "UTF-8", invalidCharReplacement: "\uFFFD" } as const;

const NS = {
  atom: "http://www.w3.org/2005/Atom",
  dc: "http://purl.org/dc/elements/1.1/",
  media: "http://search.yahoo.com/mrss/",
  content: "http://purl.org/rss/1.0/modules/content/",
};

/** Body paragraphs as HTML (`<p>…</p>`), each escaped by the serializer. */
function paragraphsHtml(paragraphs: string[]): string {
  const html = fragment({ invalidCharReplacement: "\uFFFD" });
  for (const paragraph of paragraphs) html.ele("p").txt(paragraph);
  return html.end();
}

function mediaContent(parent: XMLBuilder, item: FeedItem) {
  if (!item.image) return;
  const media = parent.ele(NS.media, "media:content", { url: item.image.url, medium: "image", ...(item.image.type ? { type: item.image.type } : {}) });
  if (item.image.caption) media.ele(NS.media, "media:description", { type: "plain" }).txt(item.image.caption);
}

export function renderRss(doc: FeedDocument): string {
  const root = create(XML_OPTIONS).ele("rss", {
    version: "2.0",
    "xmlns:atom": NS.atom,
    "xmlns:dc": NS.dc,
    "xmlns:media": NS.media,
    ...(doc.items.some((i) => i.paragraphs) ? { "xmlns:content": NS.content } : {}),
  });
  const channel = root.ele("channel");
  channel.ele("title").txt(doc.title);
  channel.ele("link").txt(doc.homeUrl);
  channel.ele("description").txt(doc.description);
  channel.ele("language").txt(doc.language);
  if (doc.updated) channel.ele("lastBuildDate").txt(rfc822(doc.updated.instant, doc.updated.timeZone));
  channel.ele(NS.atom, "atom:link", { href: doc.selfUrls.rss, rel: "self", type: "application/rss+xml" });
  for (const item of doc.items) {
    const entry = channel.ele("item");
    entry.ele("title").txt(item.title);
    entry.ele("link").txt(item.url);
    entry.ele("guid", { isPermaLink: "false" }).txt(item.id);
    entry.ele("pubDate").txt(rfc822(item.published, item.timeZone));
    entry.ele(NS.dc, "dc:creator").txt(item.author.name);
    entry.ele("description").txt(item.lead);
    if (item.paragraphs) entry.ele(NS.content, "content:encoded").txt(paragraphsHtml(item.paragraphs));
    for (const tag of item.tags) entry.ele("category").txt(tag.name);
    mediaContent(entry, item);
  }
  return root.end({ prettyPrint: true });
}

export function renderAtom(doc: FeedDocument): string {
  const feed = create(XML_OPTIONS).ele(NS.atom, "feed", { "xmlns:media": NS.media, "xml:lang": doc.language });
  feed.ele("id").txt(doc.selfUrls.atom);
  feed.ele("title", { type: "text" }).txt(doc.title);
  feed.ele("subtitle", { type: "text" }).txt(doc.description);
  // Atom requires <updated>; an empty feed has no change to report, so it takes the epoch.
  feed.ele("updated").txt(doc.updated ? w3c(doc.updated.instant, doc.updated.timeZone) : w3c(new Date(0), "UTC"));
  feed.ele("link", { rel: "alternate", type: "text/html", href: doc.homeUrl });
  feed.ele("link", { rel: "self", type: "application/atom+xml", href: doc.selfUrls.atom });
  for (const item of doc.items) {
    const entry = feed.ele("entry");
    entry.ele("id").txt(item.id);
    entry.ele("title", { type: "text" }).txt(item.title);
    entry.ele("link", { rel: "alternate", type: "text/html", href: item.url });
    entry.ele("published").txt(w3c(item.published, item.timeZone));
    entry.ele("updated").txt(w3c(item.updated, item.timeZone));
    entry.ele("author").ele("name").txt(item.author.name).up().ele("uri").txt(item.author.url);
    entry.ele("summary", { type: "text" }).txt(item.lead);
    if (item.paragraphs) entry.ele("content", { type: "html" }).txt(paragraphsHtml(item.paragraphs));
    for (const tag of item.tags) entry.ele("category", { term: tag.slug, label: tag.name });
    if (item.image) entry.ele("link", { rel: "enclosure", href: item.image.url, ...(item.image.type ? { type: item.image.type } : {}) });
    mediaContent(entry, item);
  }
  return feed.end({ prettyPrint: true });
}

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1); the image caption rides in an extension object. */
export function renderJsonFeed(doc: FeedDocument): string {
  return JSON.stringify(
    {
      version: "https://jsonfeed.org/version/1.1",
      title: doc.title,
      home_page_url: doc.homeUrl,
      feed_url: doc.selfUrls.json,
      description: doc.description,
      language: doc.language,
      items: doc.items.map((item) => ({
        id: item.id,
        url: item.url,
        title: item.title,
        summary: item.lead,
        ...(item.paragraphs ? { content_html: paragraphsHtml(item.paragraphs) } : { content_text: item.lead }),
        ...(item.image ? { image: item.image.url } : {}),
        date_published: w3c(item.published, item.timeZone),
        date_modified: w3c(item.updated, item.timeZone),
        authors: [{ name: item.author.name, url: item.author.url }],
        tags: item.tags.map((t) => t.name),
        language: doc.language,
        ...(item.image?.caption ? { _media: { image_caption: item.image.caption } } : {}),
      })),
    },
    null,
    2,
  );
}
