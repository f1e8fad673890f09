/**
 * Settings of the feeds and sitemaps (README "Feeds and sitemaps"). Parsed here rather than in
 * config.ts so that file only gains one line; a bad value stops the server at start.
 */
export interface FeedsConfig {
  /** `PUBLIC_SITE_URL` without a trailing slash; null turns /feeds/ and /sitemaps/ off (404). */
  siteUrl: string | null;
  /** `ARTICLE_URL_TEMPLATE`: {site} {slug} {id} {yyyy} {mm} {dd} (the article's own zone) {tag} (first tag's slug). */
  articleUrlTemplate: string;
  /** `TAG_URL_TEMPLATE` / `AUTHOR_URL_TEMPLATE`: {site} {slug} {id}; the pages the tag and author sitemaps list. */
  tagUrlTemplate: string;
  authorUrlTemplate: string;
  /** `PUBLICATION_NAME`: the channel title and Google News `news:name`; defaults to the site's host name. */
  publicationName: string;
  /** `PUBLICATION_LANGUAGE`: ISO 639 code (Google News wants it), default `id`. */
  language: string;
  /** `FEED_FULL_TEXT`: items carry the whole body besides the lead. Off by default (aggregators link back). */
  fullText: boolean;
  /** `FEED_CACHE_MAX_BYTES`: bound of the feed/sitemap response cache (the GraphQL one is separate). */
  cacheMaxBytes: number;
  /** `SITEMAP_URLS_PER_FILE`: URLs per article/tag/author sitemap file; 10,000 by default, at most 50,000 (the protocol's limit). */
  sitemapUrlsPerFile: number;
}

export const ARTICLE_PLACEHOLDERS = ["site", "slug", "id", "yyyy", "mm", "dd", "tag"] as const;
export const PAGE_PLACEHOLDERS = ["site", "slug", "id"] as const;
const SITEMAP_PROTOCOL_MAX_URLS = 50_000;
/** Smaller than the protocol allows: a file's serialization is one uninterrupted step (sitemap.format.ts). */
const SITEMAP_DEFAULT_URLS = 10_000;

function checkTemplate(name: string, template: string, allowed: readonly string[], siteUrl: string | null): string {
  for (const [, placeholder] of template.matchAll(/\{([^}]*)\}/g)) {
    if (!allowed.includes(placeholder)) throw new Error(`${name} has an unknown placeholder {${placeholder}}; allowed: ${allowed.map((p) => `{${p}}`).join(" ")}`);
  }
  if (!template.includes("{slug}") && !template.includes("{id}")) throw new Error(`${name} must contain {slug} or {id}, or every page would share one URL`);
  if (siteUrl) {
    const sample = template.replace(/\{site\}/g, siteUrl).replace(/\{[a-z]+\}/g, "x");
    if (!/^https?:\/\//.test(sample) || !URL.canParse(sample)) throw new Error(`${name} must give an absolute http(s) URL, e.g. "{site}/{slug}"`);
  }
  return template;
}

function parseSiteUrl(value: string | undefined): string | null {
  if (value === undefined || value.trim() === "") return null;
  const trimmed = value.trim().replace(/\/+$/, "");
  if (!/^https?:\/\//.test(trimmed) || !URL.canParse(trimmed) || new URL(trimmed).search || new URL(trimmed).hash) {
    throw new Error(`PUBLIC_SITE_URL must be an absolute http(s) URL without query or fragment, got "${value}"`);
  }
  return trimmed;
}

function wholeNumber(value: string | undefined, fallback: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be a whole number from 1 to ${max}, got "${value}"`);
  return n;
}

export function feedsConfigFromEnv(env: NodeJS.ProcessEnv): FeedsConfig {
  const siteUrl = parseSiteUrl(env.PUBLIC_SITE_URL);
  const language = env.PUBLICATION_LANGUAGE || "id";
  if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(language)) throw new Error(`PUBLICATION_LANGUAGE must be a language code such as "id" or "en", got "${language}"`);
  const publicationName = (env.PUBLICATION_NAME ?? "").trim() || (siteUrl ? new URL(siteUrl).hostname : "News");
  if (publicationName.length > 200) throw new Error("PUBLICATION_NAME must be at most 200 characters");
  const fullText = env.FEED_FULL_TEXT ?? "";
  if (fullText !== "" && !/^(1|true|yes|0|false|no)$/i.test(fullText)) throw new Error(`FEED_FULL_TEXT must be true or false, got "${fullText}"`);
  return {
    siteUrl,
    articleUrlTemplate: checkTemplate("ARTICLE_URL_TEMPLATE", env.ARTICLE_URL_TEMPLATE || "{site}/{slug}", ARTICLE_PLACEHOLDERS, siteUrl),
    tagUrlTemplate: checkTemplate("TAG_URL_TEMPLATE", env.TAG_URL_TEMPLATE || "{site}/tag/{slug}", PAGE_PLACEHOLDERS, siteUrl),
    authorUrlTemplate: checkTemplate("AUTHOR_URL_TEMPLATE", env.AUTHOR_URL_TEMPLATE || "{site}/author/{slug}", PAGE_PLACEHOLDERS, siteUrl),
    publicationName,
    language: language.toLowerCase(),
    fullText: /^(1|true|yes)$/i.test(fullText),
    cacheMaxBytes: wholeNumber(env.FEED_CACHE_MAX_BYTES, 32 * 1024 * 1024, "FEED_CACHE_MAX_BYTES"),
    sitemapUrlsPerFile: wholeNumber(env.SITEMAP_URLS_PER_FILE, SITEMAP_DEFAULT_URLS, "SITEMAP_URLS_PER_FILE", SITEMAP_PROTOCOL_MAX_URLS),
  };
}
