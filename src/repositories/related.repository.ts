import type { EntityManager } from "typeorm";
import { queryNamed } from "../db/named-sql";
import { bulkInsert, chunked } from "./bulk";

/**
 * Editor picks ("Berita Lainnya"): ordered links from an article to others. `position` orders
 * them and may have gaps: the importer stores each link at its place in the page's list, so a
 * link resolved later (pending-link.repository.ts) slots in where the page had it.
 */
export interface Pick {
  relatedId: number;
  position: number;
}

/** An article's picks in order. */
export async function pickIdsOf(manager: EntityManager, articleId: number): Promise<number[]> {
  const rows = await queryNamed<{ id: number }>(manager, `SELECT related_id AS id FROM article_related WHERE article_id = :articleId ORDER BY position, related_id`, { articleId });
  return rows.map((row) => Number(row.id));
}

/** The picks of many articles, as the slugs they point to, in order. */
export async function pickSlugsOf(manager: EntityManager, articleIds: readonly number[]): Promise<Map<number, string[]>> {
  const picks = new Map<number, string[]>();
  for (const ids of chunked(articleIds)) {
    const rows = await queryNamed<{ article_id: number; slug: string }>(
      manager,
      `SELECT r.article_id, a.slug FROM article_related r JOIN articles a ON a.id = r.related_id
        WHERE r.article_id IN (:...ids) ORDER BY r.article_id, r.position, r.related_id`,
      { ids },
    );
    for (const row of rows) {
      const id = Number(row.article_id);
      picks.set(id, [...(picks.get(id) ?? []), row.slug]);
    }
  }
  return picks;
}

/** Replaces an article's picks. */
export async function setPicks(manager: EntityManager, articleId: number, picks: readonly Pick[]): Promise<void> {
  await queryNamed(manager, `DELETE FROM article_related WHERE article_id = :articleId`, { articleId });
  await bulkInsert(manager, "article_related", ["article_id", "related_id", "position"], picks.map((p) => [articleId, p.relatedId, p.position]));
}

/** Adds one pick unless the article already has it; true when added. */
export async function addPick(manager: EntityManager, articleId: number, pick: Pick): Promise<boolean> {
  const existing = await queryNamed(manager, `SELECT 1 AS one FROM article_related WHERE article_id = :articleId AND related_id = :relatedId`, { articleId, relatedId: pick.relatedId });
  if (existing.length > 0) return false;
  await bulkInsert(manager, "article_related", ["article_id", "related_id", "position"], [[articleId, pick.relatedId, pick.position]]);
  return true;
}
