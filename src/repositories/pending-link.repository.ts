import type { EntityManager } from "typeorm";
import { timestampParam, toDate } from "../db/dialect";
import { queryNamed } from "../db/named-sql";
import type { Article } from "../entities/article.entity";
import { loadArticle, lockArticle, membershipOf, recordArticleChange, updateArticleRow } from "./article.repository";
import { bulkInsert, chunked } from "./bulk";
import { addPick } from "./related.repository";
import { hasRevisions, recordRevision, type Editor } from "./revision.repository";

/**
 * "Berita Lainnya" entries that named no article yet: a title and an instant, at their place
 * in the source page's list. Newsrooms import daily batches, so a page often lists an article
 * that arrives in a later run, or is written through the API: whichever write makes an article
 * with that title and instant (the importer, createArticle, publishArticle, updateArticle)
 * turns the entry into a pick, in the same transaction (resolvePendingLinksTo).
 */
export interface PendingLink {
  /** Index of the entry in the page's list. */
  position: number;
  title: string;
  publishedAt: Date;
  /** The zone the page printed the instant in, to report it as the page did. */
  timeZone: string;
}

export interface ResolvedLink extends PendingLink {
  sourceId: number;
  sourceSlug: string;
}

/** Related titles are typed by hand; quotes, dashes, spacing and case must not break a match. */
export function titleKey(title: string): string {
  return title
    .normalize("NFC")
    .replace(/[\u2018\u2019\u201A\u201B\u2032`]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

interface PendingRow {
  source_article_id: number;
  position: number;
  title: string;
  published_at: unknown;
  time_zone: string;
}

const toLink = (row: PendingRow): PendingLink => ({
  position: Number(row.position),
  title: row.title,
  publishedAt: toDate(row.published_at)!,
  timeZone: row.time_zone,
});

/** The stored entries of these source articles, in list order. */
export async function pendingLinksOf(manager: EntityManager, sourceIds: readonly number[]): Promise<Map<number, PendingLink[]>> {
  const bySource = new Map<number, PendingLink[]>();
  for (const ids of chunked(sourceIds)) {
    const rows = await queryNamed<PendingRow>(
      manager,
      `SELECT source_article_id, position, title, published_at, time_zone FROM article_pending_links
        WHERE source_article_id IN (:...ids) ORDER BY source_article_id, position`,
      { ids },
    );
    for (const row of rows) {
      const id = Number(row.source_article_id);
      bySource.set(id, [...(bySource.get(id) ?? []), toLink(row)]);
    }
  }
  return bySource;
}

/** Replaces the source article's stored entries (the importer, from the page's current list; setRelatedArticles, with none). */
export async function setPendingLinks(manager: EntityManager, sourceId: number, links: readonly PendingLink[]): Promise<void> {
  await queryNamed(manager, `DELETE FROM article_pending_links WHERE source_article_id = :sourceId`, { sourceId });
  await bulkInsert(
    manager,
    "article_pending_links",
    ["source_article_id", "position", "title", "title_key", "published_at", "time_zone"],
    links.map((l) => [sourceId, l.position, l.title, titleKey(l.title), timestampParam(manager.connection, l.publishedAt), l.timeZone]),
  );
}

/** Stored entries of other articles that an article with this title and instant answers. */
export async function findPendingLinksTo(manager: EntityManager, target: { id?: number; title: string; publishedAt: Date | null }): Promise<ResolvedLink[]> {
  if (!target.publishedAt) return [];
  const rows = await queryNamed<PendingRow & { source_slug: string }>(
    manager,
    `SELECT p.source_article_id, p.position, p.title, p.published_at, p.time_zone, a.slug AS source_slug
       FROM article_pending_links p JOIN articles a ON a.id = p.source_article_id
      WHERE p.published_at = :publishedAt AND p.title_key = :titleKey AND p.source_article_id <> :targetId
      ORDER BY p.source_article_id, p.position`,
    { publishedAt: timestampParam(manager.connection, target.publishedAt), titleKey: titleKey(target.title), targetId: target.id ?? -1 },
  );
  return rows.map((row) => ({ ...toLink(row), sourceId: Number(row.source_article_id), sourceSlug: row.source_slug }));
}

/**
 * Turns the stored entries that `target` answers into picks of their source articles, inside
 * the caller's write transaction. Each source changes like any article write: held first, its
 * updatedAt moved (clients that sync by it see the new pick), a revision when it has a history,
 * a content event. A deleted or undated article answers nothing. Returns what was resolved.
 */
export async function resolvePendingLinksTo(manager: EntityManager, target: Article, now: Date, editor: Editor): Promise<ResolvedLink[]> {
  if (!target.publishedAt || target.deletedAt) return [];
  const links = await findPendingLinksTo(manager, target);
  const sources = [...new Set(links.map((l) => l.sourceId))].sort((a, b) => a - b);
  for (const sourceId of sources) {
    const mine = links.filter((l) => l.sourceId === sourceId);
    await lockArticle(manager, sourceId);
    const source = await loadArticle(manager, sourceId);
    if (!source) continue;
    const before = await membershipOf(manager, source);
    let added = false;
    for (const link of mine) added = (await addPick(manager, sourceId, { relatedId: target.id, position: link.position })) || added;
    await queryNamed(manager, `DELETE FROM article_pending_links WHERE source_article_id = :sourceId AND position IN (:...positions)`, {
      sourceId,
      positions: mine.map((l) => l.position),
    });
    if (!added) continue;
    const tracked = await hasRevisions(manager, sourceId);
    const saved = await updateArticleRow(manager, source, {}, now);
    if (tracked) await recordRevision(manager, saved, "related", editor, saved.updatedAt);
    await recordArticleChange(manager, "article.updated", before, saved, { text: false, card: false }, now);
  }
  return links;
}
