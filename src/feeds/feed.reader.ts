import { liveArticlesFrom, toDate, utcMonthSql } from "../db/dialect";
import type { Article } from "../entities/article.entity";
import type { Author } from "../entities/author.entity";
import type { Tag } from "../entities/tag.entity";
import { articlePageQuery, buildConditions, type ArticleListSpec } from "../loaders/article-query";
import { createAuthorTagLoaders } from "../loaders/author-tag.loader";
import type { ReadContext } from "../loaders/read-context";
import { articleFromRow, authorFromArticleRow, type Row, type SqlTimestamp } from "../loaders/rows";
import { articleVisibility, publicTagRowVisibility } from "../loaders/visibility";

/**
 * Every read of the feeds and sitemaps, for the anonymous viewer at the request's `now`, through
 * the same visibility rule and row helpers as GraphQL. Statements per request are fixed: a feed is
 * one statement for its items (authors joined) and one for their tags, plus one to find the tag or
 * author it is for; a sitemap is one statement (the index three).
 */
export interface FeedEntry {
  article: Article;
  author: Author;
  /** In the editor's order. */
  tags: Tag[];
}

/** The rows of the sitemap statements below, as the drivers return them (counts are bigint text on PostgreSQL). */
type SitemapArticleRow = {
  a_id: number | string;
  a_slug: string;
  a_title: string;
  a_published_at: SqlTimestamp;
  a_time_zone: string;
  a_created_at: SqlTimestamp;
  a_updated_at: SqlTimestamp;
  first_tag?: string | null;
};
type MonthRow = { month: string; n: number | string; lastmod: SqlTimestamp };
type PageSummaryRow = { n: number | string; last_live: SqlTimestamp; own: SqlTimestamp };
type PageRow = { e_id: number | string; e_slug: string; e_updated_at: SqlTimestamp; last_live: SqlTimestamp };

export type FeedScope = { kind: "all" } | { kind: "tag"; tag: Tag } | { kind: "author"; author: Author };

/** A narrow row for sitemaps: no body, so a 50,000-URL file does not read 50,000 bodies. */
export interface SitemapArticle {
  id: number;
  slug: string;
  title: string;
  publishedAt: Date;
  timeZone: string;
  createdAt: Date;
  updatedAt: Date;
  firstTagSlug: string | null;
}

export interface SitemapPage {
  id: number;
  slug: string;
  lastmod: Date;
}

export interface SitemapIndexCounts {
  months: { month: string; count: number; lastmod: Date }[];
  tags: { count: number; lastmod: Date | null };
  authors: { count: number; lastmod: Date | null };
}

export function createFeedReader(context: ReadContext) {
  const { db } = context;
  const loaders = createAuthorTagLoaders(context);

  /** The tag or author a per-tag/per-author feed is for; null when there is none with that slug. */
  async function findScope(kind: "tag" | "author", slug: string): Promise<FeedScope | null> {
    if (kind === "tag") {
      const tag = await loaders.tagBySlug.load(slug);
      return tag && { kind, tag };
    }
    const author = await loaders.authorBySlug.load(slug);
    return author && { kind, author };
  }

  /** The newest `limit` live articles of the scope, with author and tags. */
  async function entries(scope: FeedScope, limit: number): Promise<FeedEntry[]> {
    // Tag feeds take the (tag_id, live_at) index path of tag pages; author feeds filter on the
    // author's slug, which the (author_id, published_at) index serves without a window.
    const spec: ArticleListSpec =
      scope.kind === "tag" ? { parent: { kind: "tag", ids: [scope.tag.id] } } : scope.kind === "author" ? { filter: { authorSlug: scope.author.slug } } : {};
    const query = articlePageQuery(context, spec, { first: limit });
    const rows = (await db.query<Row>(query.sql, query.params)).slice(0, limit);
    if (rows.length === 0) return [];
    const tagLists = await loaders.tagsByArticle.loadMany(rows.map((row) => Number(row.a_id)));
    return rows.map((row, i) => {
      const tags = tagLists[i];
      if (tags instanceof Error) throw tags;
      return { article: articleFromRow(row), author: authorFromArticleRow(row), tags };
    });
  }

  const firstTagSql = `(SELECT ft.slug FROM article_tags fat JOIN tags ft ON ft.id = fat.tag_id
    WHERE fat.article_id = a.id ORDER BY fat.position, ft.name LIMIT 1)`;

  async function sitemapArticles(
    window: { publishedAfter: Date; publishedBefore?: Date },
    order: "newest" | "oldest",
    page: { offset: number; limit: number },
    withFirstTag: boolean,
  ): Promise<SitemapArticle[]> {
    const conditions = buildConditions(context, { filter: { publishedAfter: window.publishedAfter, publishedBefore: window.publishedBefore ?? null } });
    const direction = order === "newest" ? "DESC" : "ASC";
    const rows = await db.query<SitemapArticleRow>(`SELECT a.id AS a_id, a.slug AS a_slug, a.title AS a_title, a.published_at AS a_published_at, a.time_zone AS a_time_zone,
        a.created_at AS a_created_at, a.updated_at AS a_updated_at${withFirstTag ? `, ${firstTagSql} AS first_tag` : ""}
      FROM articles a WHERE ${conditions.where.join(" AND ")}
      ORDER BY a.published_at ${direction}, a.id ${direction} LIMIT :pageLimit OFFSET :pageOffset`,
      { ...conditions.params, pageLimit: page.limit, pageOffset: page.offset },
    );
    return rows.map((row) => ({
      id: Number(row.a_id),
      slug: row.a_slug,
      title: row.a_title,
      publishedAt: toDate(row.a_published_at)!,
      timeZone: row.a_time_zone,
      createdAt: toDate(row.a_created_at)!,
      updatedAt: toDate(row.a_updated_at)!,
      firstTagSlug: row.first_tag ?? null,
    }));
  }

  /**
   * Per tag or author with live articles: its newest live article's publication (what changes its
   * page) and its own last update. Tags read the (tag_id, live_at) index, authors the newest row
   * of (author_id, published_at): one index seek each, whatever the number of articles.
   */
  function pagesSql(kind: "tag" | "author"): { sql: string; params: Record<string, unknown> } {
    if (kind === "tag") {
      const vis = publicTagRowVisibility(db, context.viewer, context.now, "pt");
      if (!vis) throw new Error("sitemaps are read as the public");
      return {
        sql: `SELECT * FROM (SELECT e.id AS e_id, e.slug AS e_slug, e.updated_at AS e_updated_at,
          (SELECT MAX(pt.live_at) FROM article_tags pt WHERE pt.tag_id = e.id AND ${vis.sql}) AS last_live FROM tags e) pages WHERE last_live IS NOT NULL`,
        params: vis.params,
      };
    }
    const vis = articleVisibility(db, context.viewer, context.now, "a");
    return {
      sql: `SELECT * FROM (SELECT e.id AS e_id, e.slug AS e_slug, e.updated_at AS e_updated_at,
        (SELECT a.published_at FROM articles a WHERE a.author_id = e.id AND ${vis.sql} ORDER BY a.published_at DESC LIMIT 1) AS last_live FROM authors e) pages
        WHERE last_live IS NOT NULL`,
      params: vis.params,
    };
  }

  /** Live articles per UTC month with their newest change, and how many tags and authors have live articles. */
  async function indexCounts(): Promise<SitemapIndexCounts> {
    const vis = articleVisibility(db, context.viewer, context.now, "a");
    const month = utcMonthSql(db, "a.published_at");
    const months = await db.query<MonthRow>(`SELECT ${month} AS month, COUNT(*) AS n, MAX(a.updated_at) AS lastmod FROM ${liveArticlesFrom(db)} WHERE ${vis.sql} GROUP BY ${month} ORDER BY month`,
      vis.params,
    );
    const summary = async (kind: "tag" | "author") => {
      const pages = pagesSql(kind);
      const [row] = await db.query<PageSummaryRow>(`SELECT COUNT(*) AS n, MAX(last_live) AS last_live, MAX(e_updated_at) AS own FROM (${pages.sql}) counted`, pages.params);
      return { count: Number(row?.n ?? 0), lastmod: latest(toDate(row?.last_live), toDate(row?.own)) };
    };
    return {
      months: months.map((row) => ({ month: String(row.month), count: Number(row.n), lastmod: toDate(row.lastmod)! })),
      tags: await summary("tag"),
      authors: await summary("author"),
    };
  }

  /** Tags or authors with at least one live article, by slug. */
  async function sitemapPages(kind: "tag" | "author", page: { offset: number; limit: number }): Promise<SitemapPage[]> {
    const pages = pagesSql(kind);
    const rows = await db.query<PageRow>(`${pages.sql} ORDER BY e_slug LIMIT :pageLimit OFFSET :pageOffset`, {
      ...pages.params,
      pageLimit: page.limit,
      pageOffset: page.offset,
    });
    return rows.map((row) => ({ id: Number(row.e_id), slug: row.e_slug, lastmod: latest(toDate(row.last_live), toDate(row.e_updated_at))! }));
  }

  return { findScope, entries, sitemapArticles, indexCounts, sitemapPages };
}

export type FeedReader = ReturnType<typeof createFeedReader>;

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}
