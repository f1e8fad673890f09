import { timestampParam, type DialectSource } from "../db/dialect";
import { hasRole, Role, type Viewer } from "../viewer";

/**
 * The one place that decides which articles a viewer may read. Every read path (by id,
 * by slug, lists, nested lists, related, search, counts) adds this condition, so a draft
 * or a scheduled article cannot leak through a path someone forgot.
 *
 * - anonymous: published, not deleted, and publishedAt has come (scheduled posts appear
 *   at their instant with no job running);
 * - contributors and authors: that, plus their own drafts and scheduled articles (preview);
 * - editors and admins: everything not deleted; deleted articles only when asked for.
 */
export interface VisibilityCondition {
  sql: string;
  params: Record<string, unknown>;
}

export function articleVisibility(
  db: DialectSource,
  viewer: Viewer,
  now: Date,
  alias: string,
  options: { includeDeleted?: boolean } = {},
): VisibilityCondition {
  const live = `(${alias}.status = 'published' AND ${alias}.published_at <= :visibleNow)`;
  const notDeleted = `${alias}.deleted_at IS NULL`;
  const params: Record<string, unknown> = { visibleNow: timestampParam(db, now) };

  if (hasRole(viewer, Role.EDITOR)) {
    return { sql: options.includeDeleted ? "1 = 1" : notDeleted, params: {} };
  }
  if (viewer.kind === "token" && viewer.authorId !== null) {
    params.visibleOwnAuthor = viewer.authorId;
    const own = options.includeDeleted ? `${alias}.author_id = :visibleOwnAuthor` : `(${alias}.author_id = :visibleOwnAuthor AND ${notDeleted})`;
    return { sql: `((${live} AND ${notDeleted}) OR ${own})`, params };
  }
  return { sql: `(${live} AND ${notDeleted})`, params };
}

/**
 * For the public, "visible" is exactly "live_at has come" on a tag row (live_at copies
 * published_at only for published, not deleted articles), so tag lists and counts can be
 * answered from the (tag_id, live_at) index without touching articles. Returns null when the
 * viewer sees more than the public (previews), and callers then use articleVisibility.
 */
export function publicTagRowVisibility(db: DialectSource, viewer: Viewer, now: Date, alias: string): VisibilityCondition | null {
  if (viewer.kind !== "anonymous") return null;
  return { sql: `${alias}.live_at <= :visibleNow`, params: { visibleNow: timestampParam(db, now) } };
}

/**
 * Which tags a viewer may know of: editors all of them; everyone else only tags carried by an
 * article they may read, so a tag created by a draft (or left only on a deleted or scheduled
 * article) does not exist for the public. Null when there is nothing to check. For the public
 * it is an index probe on (tag_id, live_at).
 */
export function tagVisibility(dataSource: DialectSource, viewer: Viewer, now: Date, alias: string): VisibilityCondition | null {
  if (hasRole(viewer, Role.EDITOR)) return null;
  const publicRows = publicTagRowVisibility(dataSource, viewer, now, "vt");
  if (publicRows) return { sql: `EXISTS (SELECT 1 FROM article_tags vt WHERE vt.tag_id = ${alias}.id AND ${publicRows.sql})`, params: publicRows.params };
  const articles = articleVisibility(dataSource, viewer, now, "vta");
  return {
    sql: `EXISTS (SELECT 1 FROM article_tags vt JOIN articles vta ON vta.id = vt.article_id WHERE vt.tag_id = ${alias}.id AND ${articles.sql})`,
    params: articles.params,
  };
}

/**
 * Live articles carrying the tag `alias` at `:nowParam`, the same for every viewer because it
 * shows in related scores: tags.live_count (rows with a live_at, kept by triggers) less the
 * rows whose instant is still to come, a short range at the end of the (tag_id, live_at) index.
 */
export function liveTagCountSql(alias: string, nowParam: string): string {
  return `(${alias}.live_count - (SELECT COUNT(*) FROM article_tags lf WHERE lf.tag_id = ${alias}.id AND lf.live_at > :${nowParam}))`;
}
