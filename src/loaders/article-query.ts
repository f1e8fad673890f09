import { limitSql, timestampParam } from "../db/dialect";
import { decodeCursor, encodeCursor, type CursorKey } from "../pagination/cursor";
import { ArticleStatus, type Article } from "../entities/article.entity";
import { badInput } from "../errors";
import type { ReadContext } from "./read-context";
import { ARTICLE_FROM, articleColumns, AUTHOR_EXTRA_COLUMNS, tagColumnsOf } from "./rows";
import { articleVisibility, publicTagRowVisibility } from "./visibility";

export enum ArticleOrder {
  PUBLISHED_AT_DESC = "PUBLISHED_AT_DESC",
  PUBLISHED_AT_ASC = "PUBLISHED_AT_ASC",
  UPDATED_AT_DESC = "UPDATED_AT_DESC",
}

export enum TagMatch {
  ANY = "ANY",
  ALL = "ALL",
}

export interface ArticleFilterValues {
  tagSlugs?: string[] | null;
  tagMatch?: TagMatch | null;
  authorSlug?: string | null;
  publishedAfter?: Date | null;
  publishedBefore?: Date | null;
  statuses?: ArticleStatus[] | null;
}

/** Everything that selects one list of articles, apart from its page window. */
export interface ArticleListSpec {
  filter?: ArticleFilterValues | null;
  orderBy?: ArticleOrder | null;
  /**
   * For nested lists: the parent each row belongs to (author or tag), one window per parent; or
   * one parent named by its slug, whose page statement then also finds it (parentOwnColumns).
   */
  parent?: ListParent;
}

export type ListParent = { kind: "author" | "tag"; ids: number[]; slug?: undefined } | { kind: "author" | "tag"; slug: string; ids?: undefined };

/** `column` belongs to the parent: one of its ids, or the author or tag its slug names. */
function parentCondition(column: string, parent: ListParent, params: Record<string, unknown>): string {
  if (parent.slug !== undefined) {
    params.parentSlug = parent.slug;
    return `${column} = (SELECT id FROM ${parent.kind === "author" ? "authors" : "tags"} WHERE slug = :parentSlug)`;
  }
  params.parentIds = parent.ids;
  return `${column} IN (:...parentIds)`;
}

const manyParents = (parent: ListParent | undefined): boolean => (parent?.ids?.length ?? 0) > 1;

/**
 * A parent named by its slug: each page row also carries the parent's own columns, so the parent
 * and its page come from one statement. A tag's come from a join; an author's are the row's
 * author (authorFromArticleRow), all of them. A page with no row says nothing of its parent.
 */
function parentOwnColumns(context: ReadContext, spec: ArticleListSpec): { join: string; columns: string } {
  if (spec.parent?.slug === undefined) return { join: "", columns: "" };
  if (spec.parent.kind === "tag") return { join: " JOIN tags ptag ON ptag.id = pt.tag_id", columns: `, ${tagColumnsOf("ptag")}` };
  return { join: "", columns: context.selection?.extras.author ? "" : `, ${AUTHOR_EXTRA_COLUMNS}` };
}

/** WHERE conditions (over `a`, `au` and `joins`) with their parameters; search reuses them. */
export interface ArticleConditions {
  where: string[];
  params: Record<string, unknown>;
  joins: string[];
}

export function sortExpression(order: ArticleOrder, context: ReadContext): string {
  if (order === ArticleOrder.UPDATED_AT_DESC) return "a.updated_at";
  // Anonymous readers only ever see rows with a publishedAt, so the plain column keeps the
  // index usable; someone previewing drafts needs them placed somewhere stable: by creation.
  return context.viewer.kind === "anonymous" ? "a.published_at" : "COALESCE(a.published_at, a.created_at)";
}

const statusConditions: Record<ArticleStatus, string> = {
  DRAFT: "(a.status = 'draft' AND a.deleted_at IS NULL)",
  SCHEDULED: "(a.status = 'published' AND a.published_at > :statusNow AND a.deleted_at IS NULL)",
  PUBLISHED: "(a.status = 'published' AND a.published_at <= :statusNow AND a.deleted_at IS NULL)",
  DELETED: "(a.deleted_at IS NOT NULL)",
};

/** Visibility, parent and filter conditions of an article list; also what `search` filters by. */
export function buildConditions(context: ReadContext, spec: ArticleListSpec): ArticleConditions {
  const { db } = context;
  const filter = spec.filter ?? {};
  const includeDeleted = filter.statuses?.includes(ArticleStatus.DELETED) ?? false;
  const visibility = articleVisibility(db, context.viewer, context.now, "a", { includeDeleted });
  const sql: ArticleConditions = { where: [visibility.sql], params: { ...visibility.params }, joins: [] };

  if (spec.parent?.kind === "author") {
    sql.where.push(parentCondition("a.author_id", spec.parent, sql.params));
  } else if (spec.parent?.kind === "tag") {
    sql.joins.push("JOIN article_tags pt ON pt.article_id = a.id");
    sql.where.push(parentCondition("pt.tag_id", spec.parent, sql.params));
  }

  if (filter.tagSlugs && filter.tagSlugs.length > 0) {
    const slugs = [...new Set(filter.tagSlugs)];
    sql.params.filterTagSlugs = slugs;
    if (filter.tagMatch === TagMatch.ALL) {
      sql.where.push(`a.id IN (SELECT ft.article_id FROM article_tags ft JOIN tags fts ON fts.id = ft.tag_id
        WHERE fts.slug IN (:...filterTagSlugs) GROUP BY ft.article_id HAVING COUNT(*) = :filterTagCount)`);
      sql.params.filterTagCount = slugs.length;
    } else {
      sql.where.push(`a.id IN (SELECT ft.article_id FROM article_tags ft JOIN tags fts ON fts.id = ft.tag_id
        WHERE fts.slug IN (:...filterTagSlugs))`);
    }
  }
  if (filter.authorSlug) {
    sql.where.push("au.slug = :filterAuthorSlug");
    sql.params.filterAuthorSlug = filter.authorSlug;
  }
  if (filter.publishedAfter) {
    sql.where.push("a.published_at >= :filterPublishedAfter");
    sql.params.filterPublishedAfter = timestampParam(db, filter.publishedAfter);
  }
  if (filter.publishedBefore) {
    sql.where.push("a.published_at < :filterPublishedBefore");
    sql.params.filterPublishedBefore = timestampParam(db, filter.publishedBefore);
  }
  if (filter.statuses && filter.statuses.length > 0) {
    sql.where.push(`(${filter.statuses.map((s) => statusConditions[s]).join(" OR ")})`);
    sql.params.statusNow = timestampParam(db, context.now);
  }
  return sql;
}

/** Continues a date-ordered list after the cursor's (date, id), for lists and newest-first search. */
export function addDateKeyset(
  context: ReadContext,
  conditions: ArticleConditions,
  sort: string,
  comparison: "<" | ">",
  after: string,
  idColumn = "a.id",
): void {
  const [value, id] = decodeCursor(after);
  if (typeof value !== "string" || Number.isNaN(Date.parse(value))) throw badInput('"after" is not a cursor for this list', { after: "malformed cursor" });
  conditions.where.push(`(${sort} ${comparison} :afterValue OR (${sort} = :afterValue AND ${idColumn} ${comparison} :afterId))`);
  conditions.params.afterValue = timestampParam(context.db, new Date(value));
  conditions.params.afterId = id;
}

export interface ArticleWindow {
  first: number;
  after?: string | null;
}

export interface ArticlePageQuery {
  sql: string;
  params: Record<string, unknown>;
  /**
   * The page is read in index order and stops at its LIMIT, so its cost does not grow with the
   * list (see ReadQueryOptions.bounded). Filters, other orders and previews may scan.
   */
  bounded: boolean;
  sortKey: (article: Article) => CursorKey;
  /** Each row also carries its parent's whole count (`parent_total`), which a page of no rows cannot. */
  carriesTotal?: boolean;
}

export function sortValue(order: ArticleOrder, article: Article): string | null {
  const date = order === ArticleOrder.UPDATED_AT_DESC ? article.updatedAt : (article.publishedAt ?? article.createdAt);
  return date ? date.toISOString() : null;
}

const byPublication = (order: ArticleOrder): boolean => order === ArticleOrder.PUBLISHED_AT_DESC || order === ArticleOrder.PUBLISHED_AT_ASC;

const sortKeyOf =
  (order: ArticleOrder) =>
  (article: Article): CursorKey => [sortValue(order, article), article.id];

/**
 * When the operation shows the list's totalCount, one parent's page counts its list in its own
 * statement (`parent_total`): the count query as a subquery naming no column of the outer rows,
 * so both engines run it once, not per row; its aliases are its own.
 */
function parentTotalColumn(context: ReadContext, spec: ArticleListSpec): { sql: string; params: Record<string, unknown> } | null {
  if (!context.selection?.listTotals) return null;
  const count = articleCountQuery(context, spec);
  return { sql: `, (SELECT n FROM (${count.sql}) parent_count) AS parent_total`, params: count.params };
}

/** One statement for one page of a list, or of many parents' lists at once (one window each). */
export function articlePageQuery(context: ReadContext, spec: ArticleListSpec, window: ArticleWindow): ArticlePageQuery {
  const order = spec.orderBy ?? ArticleOrder.PUBLISHED_AT_DESC;
  const fast = publicTagPageQuery(context, spec, window, order);
  if (fast) return fast;
  const conditions = buildConditions(context, spec);
  const sort = sortExpression(order, context);
  const direction = order === ArticleOrder.PUBLISHED_AT_ASC ? "ASC" : "DESC";
  const comparison = direction === "ASC" ? ">" : "<";

  if (window.after) addDateKeyset(context, conditions, sort, comparison, window.after);

  const orderSql = `${sort} ${direction}, a.id ${direction}`;
  const from = `${ARTICLE_FROM} ${conditions.joins.join(" ")}`;
  const where = conditions.where.join(" AND ");
  const limit = limitSql(window.first + 1); // one extra row tells whether there is a next page

  // Readers' newest-first and oldest-first lists walk (status, published_at); nothing else is known to.
  const bounded = !spec.parent && !hasFilter(spec) && context.viewer.kind === "anonymous" && order !== ArticleOrder.UPDATED_AT_DESC;
  const sortKey = sortKeyOf(order);
  const parentColumn = spec.parent?.kind === "author" ? "a.author_id" : "pt.tag_id";
  if (manyParents(spec.parent)) {
    // The window projects every row of each parent's list: no tag chips (articleColumns).
    const sql = `SELECT * FROM (SELECT ${articleColumns(context.selection, "lists")}, ${parentColumn} AS parent_id,
        ROW_NUMBER() OVER (PARTITION BY ${parentColumn} ORDER BY ${orderSql}) AS window_row
      FROM ${from} WHERE ${where}) ranked WHERE window_row <= ${limit} ORDER BY parent_id, window_row`;
    return { sql, params: conditions.params, bounded, sortKey };
  }
  if (spec.parent) {
    // One parent's page (an author page): a top-N sort, not a window over all its articles. A
    // reader's author page by date walks (author_id, published_at, id) and projects only its
    // page, so it carries tag chips, and its count when shown (parentTotalColumn).
    const indexOrdered = spec.parent.kind === "author" && byPublication(order) && !hasFilter(spec) && context.viewer.kind === "anonymous";
    const columns = articleColumns(context.selection, "lists", indexOrdered ? context.db.dialect : undefined);
    const total = parentTotalColumn(context, spec);
    const own = parentOwnColumns(context, spec);
    const sql = `SELECT ${columns}, ${parentColumn} AS parent_id${own.columns}${total?.sql ?? ""} FROM ${from}${own.join} WHERE ${where} ORDER BY ${orderSql} LIMIT ${limit}`;
    // The count visits each of the author's rows (status is not in the index): never on SQLite's calling thread.
    return { sql, params: { ...total?.params, ...conditions.params }, bounded: indexOrdered && !total, sortKey, carriesTotal: Boolean(total) };
  }
  // A list read in index order projects only its page; one sorted first may project every match.
  const columns = articleColumns(context.selection, "lists", bounded ? context.db.dialect : undefined);
  const sql = `SELECT ${columns} FROM ${from} WHERE ${where} ORDER BY ${orderSql} LIMIT ${limit}`;
  return { sql, params: conditions.params, bounded, sortKey };
}

export function hasFilter(spec: ArticleListSpec): boolean {
  return Object.values(spec.filter ?? {}).some((v) => v != null && (!Array.isArray(v) || v.length > 0));
}

/**
 * Public tag pages by publication date: ranked on the (tag_id, live_at, article_id) index, so
 * only the rows of the page are joined to articles, whether the tag has ten articles or ten
 * thousand. Other orders, filters and previewing viewers take the general query.
 */
function publicTagPageQuery(context: ReadContext, spec: ArticleListSpec, window: ArticleWindow, order: ArticleOrder): ArticlePageQuery | null {
  const tagRows = publicTagRowVisibility(context.db, context.viewer, context.now, "pt");
  if (!tagRows || spec.parent?.kind !== "tag" || !byPublication(order) || hasFilter(spec)) return null;

  const direction = order === ArticleOrder.PUBLISHED_AT_ASC ? "ASC" : "DESC";
  const comparison = direction === "ASC" ? ">" : "<";
  const params: Record<string, unknown> = { ...tagRows.params };
  const limit = limitSql(window.first + 1);
  const where = [parentCondition("pt.tag_id", spec.parent, params), tagRows.sql];
  if (window.after) {
    const [value, id] = decodeCursor(window.after);
    if (typeof value !== "string" || Number.isNaN(Date.parse(value))) throw badInput('"after" is not a cursor for this list', { after: "malformed cursor" });
    where.push(`(pt.live_at ${comparison} :afterValue OR (pt.live_at = :afterValue AND pt.article_id ${comparison} :afterId))`);
    params.afterValue = timestampParam(context.db, new Date(value));
    params.afterId = id;
  }
  const sortKey = sortKeyOf(order);
  if (!manyParents(spec.parent)) {
    const total = parentTotalColumn(context, spec);
    const own = parentOwnColumns(context, spec);
    return {
      sql: `SELECT ${articleColumns(context.selection, "lists", context.db.dialect)}, pt.tag_id AS parent_id${own.columns}${total?.sql ?? ""} FROM article_tags pt
        JOIN articles a ON a.id = pt.article_id JOIN authors au ON au.id = a.author_id${own.join}
        WHERE ${where.join(" AND ")} ORDER BY pt.live_at ${direction}, pt.article_id ${direction} LIMIT ${limit}`,
      params: { ...total?.params, ...params },
      bounded: true,
      sortKey,
      carriesTotal: Boolean(total),
    };
  }
  return {
    // Articles are joined to the ranked rows already cut to a page each: chips for those alone.
    sql: `SELECT ${articleColumns(context.selection, "lists", context.db.dialect)}, ranked.tag_id AS parent_id FROM (
        SELECT pt.tag_id, pt.article_id,
          ROW_NUMBER() OVER (PARTITION BY pt.tag_id ORDER BY pt.live_at ${direction}, pt.article_id ${direction}) AS window_row
        FROM article_tags pt WHERE ${where.join(" AND ")}) ranked
      JOIN articles a ON a.id = ranked.article_id JOIN authors au ON au.id = a.author_id
      WHERE ranked.window_row <= ${limit} ORDER BY ranked.tag_id, ranked.window_row`,
    params,
    // Ranks every live row of each tag before it keeps a page of each.
    bounded: false,
    sortKey,
  };
}

/** Counts for the same lists (per parent when nested); run only when a client asks for totalCount. */
export function articleCountQuery(context: ReadContext, spec: ArticleListSpec): { sql: string; params: Record<string, unknown> } {
  const tagRows = publicTagRowVisibility(context.db, context.viewer, context.now, "pt");
  if (tagRows && spec.parent?.kind === "tag" && !hasFilter(spec)) {
    const params: Record<string, unknown> = { ...tagRows.params };
    return {
      sql: `SELECT pt.tag_id AS parent_id, COUNT(*) AS n FROM article_tags pt WHERE ${parentCondition("pt.tag_id", spec.parent, params)} AND ${tagRows.sql} GROUP BY pt.tag_id`,
      params,
    };
  }
  const conditions = buildConditions(context, spec);
  const needsAuthor = conditions.where.some((w) => w.includes("au."));
  const from = `articles a ${needsAuthor ? "JOIN authors au ON au.id = a.author_id" : ""} ${conditions.joins.join(" ")}`;
  const where = conditions.where.join(" AND ");
  if (spec.parent) {
    const parentColumn = spec.parent.kind === "author" ? "a.author_id" : "pt.tag_id";
    return { sql: `SELECT ${parentColumn} AS parent_id, COUNT(*) AS n FROM ${from} WHERE ${where} GROUP BY ${parentColumn}`, params: conditions.params };
  }
  return { sql: `SELECT COUNT(*) AS n FROM ${from} WHERE ${where}`, params: conditions.params };
}

export { encodeCursor };
