import type { FeedsConfig } from "./feeds.config";
import { zonedTime } from "./zone-time";

export interface ArticleUrlFields {
  id: number;
  slug: string;
  publishedAt: Date | null;
  createdAt: Date;
  timeZone: string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * Where the public site shows an article, tag or author, from the configured templates. Feeds
 * and sitemaps are meant to be served under the same origin (a proxy forwards /feeds/ and
 * /sitemaps/ here), so their own URLs are the site's too: sitemap files must sit on the host of
 * the URLs they list.
 */
export class SiteUrls {
  private readonly needsDate: boolean;
  readonly needsTag: boolean;
  readonly host: string;

  constructor(private readonly config: FeedsConfig & { siteUrl: string }) {
    this.needsDate = /\{(yyyy|mm|dd)\}/.test(config.articleUrlTemplate);
    this.needsTag = config.articleUrlTemplate.includes("{tag}");
    this.host = new URL(config.siteUrl).host;
  }

  get site(): string {
    return this.config.siteUrl;
  }

  /** A path of this server (`/feeds/rss.xml`) as the public sees it. */
  own(path: string): string {
    return `${this.config.siteUrl}${path}`;
  }

  article(article: ArticleUrlFields, firstTagSlug: string | null): string {
    const values: Record<string, string> = { site: this.config.siteUrl, slug: encodeURIComponent(article.slug), id: String(article.id) };
    if (this.needsDate) {
      const t = zonedTime(article.publishedAt ?? article.createdAt, article.timeZone);
      Object.assign(values, { yyyy: pad(t.year, 4), mm: pad(t.month), dd: pad(t.day) });
    }
    // An untagged article under a {tag} template loses that path segment rather than getting "//".
    if (this.needsTag) values.tag = firstTagSlug ? encodeURIComponent(firstTagSlug) : "";
    return collapseSlashes(fill(this.config.articleUrlTemplate, values));
  }

  tag(tag: { id: number; slug: string }): string {
    return fill(this.config.tagUrlTemplate, { site: this.config.siteUrl, slug: encodeURIComponent(tag.slug), id: String(tag.id) });
  }

  author(author: { id: number; slug: string }): string {
    return fill(this.config.authorUrlTemplate, { site: this.config.siteUrl, slug: encodeURIComponent(author.slug), id: String(author.id) });
  }

  /** A stable identifier (RFC 4151 tag URI) that survives slug and URL template changes. */
  articleId(article: { id: number; createdAt: Date }): string {
    return `tag:${this.host.replace(/:\d+$/, "")},${article.createdAt.toISOString().slice(0, 10)}:article:${article.id}`;
  }
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-z]+)\}/g, (_, name: string) => values[name] ?? "");
}

function collapseSlashes(url: string): string {
  const scheme = /^[a-z]+:\/\//i.exec(url)?.[0] ?? "";
  return scheme + url.slice(scheme.length).replace(/\/{2,}/g, "/");
}
