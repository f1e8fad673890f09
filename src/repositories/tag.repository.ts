import type { EntityManager } from "typeorm";
import { writeConcurrency } from "../db/dialect";
import { queryNamed } from "../db/named-sql";
import { bulkInsert } from "./bulk";
import { ensureBySlug, type Named } from "./slug.repository";

/** Tag ids by slug, creating missing tags; see ensureBySlug. */
export function ensureTags(manager: EntityManager, tags: readonly Named[], now: Date) {
  return ensureBySlug(manager, "tags", tags, now);
}

/** An article's tag ids in the editor's order. */
export async function tagIdsOf(manager: EntityManager, articleId: number): Promise<number[]> {
  const rows = await queryNamed<{ id: number }>(manager, `SELECT tag_id AS id FROM article_tags WHERE article_id = :articleId ORDER BY position, tag_id`, { articleId });
  return rows.map((row) => Number(row.id));
}

/**
 * Replaces an article's tags, keeping the given order in `position`. Rows go in by tag id:
 * each insert moves the tag's live_count (a trigger), which locks the tag's row on
 * PostgreSQL, and two writers taking the same tags in opposite orders would deadlock.
 */
export async function setArticleTags(manager: EntityManager, articleId: number, tagIds: readonly number[]): Promise<void> {
  await queryNamed(manager, `DELETE FROM article_tags WHERE article_id = :articleId`, { articleId });
  const rows = tagIds.map((tagId, position) => [articleId, tagId, position]).sort((a, b) => a[1] - b[1]);
  await bulkInsert(manager, "article_tags", ["article_id", "tag_id", "position"], rows);
}

/**
 * Tag rows of many new articles at once (bulk loads). `live_at` is passed so the insert trigger
 * has nothing to look up. On PostgreSQL rows go in by tag, for the same lock order as
 * setArticleTags; SQLite has one writer, so its rows stay in article order (its primary key's).
 */
export async function insertArticleTagRows(manager: EntityManager, rows: { articleId: number; tagId: number; position: number; liveAt: unknown }[]): Promise<void> {
  const sorted = writeConcurrency(manager) === "row-locks" ? [...rows].sort((a, b) => a.tagId - b.tagId || a.articleId - b.articleId) : rows;
  await bulkInsert(manager, "article_tags", ["article_id", "tag_id", "position", "live_at"], sorted.map((r) => [r.articleId, r.tagId, r.position, r.liveAt]), { rowsPerStatement: 8_000 });
}
