import DataLoader from "dataloader";
import { toDate } from "../db/dialect";
import { ArticleRevision } from "../entities/article-revision.entity";
import type { ReadContext } from "./read-context";

export const MAX_REVISIONS_LISTED = 100;

const REVISION_COLUMNS = `r.id, r.article_id, r.revision, r.action, r.title, r.lead, r.body, r.slug, r.featured_image_url,
  r.featured_image_caption, r.status, r.published_at, r.deleted_at, r.time_zone, r.author_id, r.tag_ids, r.related_ids,
  r.edited_by_token_id, r.edited_by, r.created_at`;

/** A revision row as both engines return it (timestamps: SQLite text, PostgreSQL Date). */
interface RevisionRow {
  id: number | string;
  article_id: number | string;
  revision: number | string;
  action: ArticleRevision["action"];
  title: string;
  lead: string;
  body: string;
  slug: string;
  featured_image_url: string | null;
  featured_image_caption: string | null;
  status: string;
  published_at: string | Date | null;
  deleted_at: string | Date | null;
  time_zone: string;
  author_id: number | string;
  tag_ids: string;
  related_ids: string;
  edited_by_token_id: number | string | null;
  edited_by: string;
  created_at: string | Date;
}

function revisionFromRow(row: RevisionRow): ArticleRevision {
  const revision = new ArticleRevision();
  revision.id = Number(row.id);
  revision.articleId = Number(row.article_id);
  revision.revision = Number(row.revision);
  revision.action = row.action;
  revision.title = row.title;
  revision.lead = row.lead;
  revision.body = row.body;
  revision.slug = row.slug;
  revision.featuredImageUrl = row.featured_image_url ?? null;
  revision.featuredImageCaption = row.featured_image_caption ?? null;
  revision.status = row.status;
  revision.publishedAt = toDate(row.published_at);
  revision.deletedAt = toDate(row.deleted_at);
  revision.timeZone = row.time_zone;
  revision.authorId = Number(row.author_id);
  revision.tagIdsJson = row.tag_ids;
  revision.relatedIdsJson = row.related_ids;
  revision.editedByTokenId = row.edited_by_token_id === null || row.edited_by_token_id === undefined ? null : Number(row.edited_by_token_id);
  revision.editedBy = row.edited_by;
  revision.createdAt = toDate(row.created_at)!;
  return revision;
}

/**
 * Revisions of many articles in one statement, newest first. Who may read them is an access
 * rule (may this token edit the article), checked by the field resolver before it asks.
 */
export function createRevisionLoader(context: ReadContext) {
  return new DataLoader<number, ArticleRevision[]>(async (articleIds) => {
    const rows = await context.db.query<RevisionRow>(
      `SELECT ${REVISION_COLUMNS} FROM article_revisions r WHERE r.article_id IN (:...articleIds) ORDER BY r.article_id ASC, r.revision DESC`,
      { articleIds },
    );
    const byArticle = new Map<number, ArticleRevision[]>();
    for (const revision of rows.map(revisionFromRow)) {
      const list = byArticle.get(revision.articleId) ?? [];
      if (list.length < MAX_REVISIONS_LISTED) list.push(revision);
      byArticle.set(revision.articleId, list);
    }
    return articleIds.map((id) => byArticle.get(id) ?? []);
  });
}
