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
