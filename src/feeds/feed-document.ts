import { ARTICLE_LISTS_KEY, articlesOfKey, entityKey } from "../events/content-events";
import type { FeedsConfig } from "./feeds.config";
import type { FeedEntry, FeedScope } from "./feed.reader";
import type { SiteUrls } from "./site-urls";

/** One feed, independent of its format: what RSS, Atom and JSON Feed each serialize. */
export interface FeedDocument {
  title: string;
  description: string;
  /** The page the feed mirrors: the site, a tag page or an author page. */
  homeUrl: string;
  /** Where each format of this feed is served, as the public sees it. */
  selfUrls: Record<FeedFormat, string>;
  language: string;
  /** The newest change among the items (deterministic, so equal content gives equal bytes and ETag). */
  updated: { instant: Date; timeZone: string } | null;
  items: FeedItem[];
}

export interface FeedItem {
  id: string;
  url: string;
  title: string;
  lead: string;
  /** Body paragraphs when full text is on. */
  paragraphs: string[] | null;
  published: Date;
  updated: Date;
  /** The article's own zone: dates are written with its offset. */
  timeZone: string;
  author: { name: string; url: string };
  tags: { name: string; slug: string; url: string }[];
  image: { url: string; caption: string | null; type: string | null } | null;
}

export type FeedFormat = "rss" | "atom" | "json";
export const FEED_FILES: Record<FeedFormat, string> = { rss: "rss.xml", atom: "atom.xml", json: "feed.json" };

const IMAGE_TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  svg: "image/svg+xml",
};

/** The media type aggregators ask for, guessed from the file name; null when it says nothing. */
export function imageType(url: string): string | null {
  try {
    const ext = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
    return (ext && IMAGE_TYPES[ext]) ?? null;
  } catch {
    return null;
  }
}

export function feedPath(scope: FeedScope, format: FeedFormat): string {
  const prefix = scope.kind === "tag" ? `/feeds/tag/${encodeURIComponent(scope.tag.slug)}` : scope.kind === "author" ? `/feeds/author/${encodeURIComponent(scope.author.slug)}` : "/feeds";
  return `${prefix}/${FEED_FILES[format]}`;
}

export function buildFeedDocument(config: FeedsConfig, urls: SiteUrls, scope: FeedScope, entries: FeedEntry[]): FeedDocument {
  const name = config.publicationName;
  const { title, description, homeUrl } =
    scope.kind === "tag"
      ? { title: `${name}: ${scope.tag.name}`, description: scope.tag.description ?? `${scope.tag.name} — ${name}`, homeUrl: urls.tag(scope.tag) }
      : scope.kind === "author"
        ? { title: `${name}: ${scope.author.name}`, description: scope.author.bio ?? `${scope.author.name} — ${name}`, homeUrl: urls.author(scope.author) }
        : { title: name, description: name, homeUrl: urls.site };

  let updated: FeedDocument["updated"] = null;
  const items = entries.map(({ article, author, tags }): FeedItem => {
    if (!updated || article.updatedAt > updated.instant) updated = { instant: article.updatedAt, timeZone: article.timeZone };
    return {
      id: urls.articleId(article),
      url: urls.article(article, tags[0]?.slug ?? null),
      title: article.title,
      lead: article.lead,
      paragraphs: config.fullText ? article.body.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean) : null,
      // Live articles always have one; the visibility rule guarantees it.
      published: article.publishedAt!,
      updated: article.updatedAt,
      timeZone: article.timeZone,
      author: { name: author.name, url: urls.author(author) },
      tags: tags.map((tag) => ({ name: tag.name, slug: tag.slug, url: urls.tag(tag) })),
      image: article.featuredImageUrl ? { url: article.featuredImageUrl, caption: article.featuredImageCaption, type: imageType(article.featuredImageUrl) } : null,
    };
  });

  const selfUrls = { rss: urls.own(feedPath(scope, "rss")), atom: urls.own(feedPath(scope, "atom")), json: urls.own(feedPath(scope, "json")) };
  return { title, description, homeUrl, selfUrls, language: config.language, updated, items };
}

/** Surrogate keys of a feed: the list it shows, and every article, author and tag whose text it prints. */
export function feedKeys(scope: FeedScope, entries: FeedEntry[]): string[] {
  const keys = new Set<string>(
    scope.kind === "tag"
      ? [entityKey("tag", scope.tag.id), articlesOfKey("tag", scope.tag.id)]
      : scope.kind === "author"
        ? [entityKey("author", scope.author.id), articlesOfKey("author", scope.author.id)]
        : [ARTICLE_LISTS_KEY],
  );
  for (const { article, author, tags } of entries) {
    keys.add(entityKey("article", article.id));
    keys.add(entityKey("author", author.id));
    for (const tag of tags) keys.add(entityKey("tag", tag.id));
  }
  return [...keys];
}
