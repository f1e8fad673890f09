import type { EntityManager } from "typeorm";
import { Article } from "../entities/article.entity";
import { ArticleRevision } from "../entities/article-revision.entity";
import { queryNamed } from "../db/named-sql";
import { tagIdsOf } from "./tag.repository";
import { pickIdsOf } from "./related.repository";

export type RevisionAction = "create" | "update" | "publish" | "schedule" | "unpublish" | "delete" | "restore" | "related" | "import";

export interface Editor {
  tokenId: number | null;
  name: string;
}

/** Who wrote a change that came from the page importer rather than a token. */
export const IMPORTER: Editor = { tokenId: null, name: "import" };

/**
 * Snapshots the article as it now stands, tags and picks included, as its next revision.
 * The caller holds the article (lockArticle on PostgreSQL, the only writer on SQLite), so the
 * MAX + 1 read here cannot race another writer of the same article: numbers stay gapless, and
 * the unique index on (article_id, revision) refuses anything that would not.
 */
export async function recordRevision(manager: EntityManager, article: Article, action: RevisionAction, editor: Editor, at: Date): Promise<number> {
  const [{ last }] = await queryNamed<{ last: number | null }>(manager, `SELECT MAX(revision) AS last FROM article_revisions WHERE article_id = :articleId`, { articleId: article.id });
  const revision = Number(last ?? 0) + 1;
  const repo = manager.getRepository(ArticleRevision);
  // updateEntity(false): nothing reads the row back, so TypeORM need not re-select its defaulted created_at.
  await repo.createQueryBuilder().insert().updateEntity(false).values(
    repo.create({
      articleId: article.id,
      revision,
      action,
      title: article.title,
      lead: article.lead,
      body: article.body,
      slug: article.slug,
      featuredImageUrl: article.featuredImageUrl,
      featuredImageCaption: article.featuredImageCaption,
      status: article.status,
      publishedAt: article.publishedAt,
      deletedAt: article.deletedAt,
      timeZone: article.timeZone,
      authorId: article.authorId,
      tagIdsJson: JSON.stringify(await tagIdsOf(manager, article.id)),
      relatedIdsJson: JSON.stringify(await pickIdsOf(manager, article.id)),
      editedByTokenId: editor.tokenId,
      editedBy: editor.name,
      createdAt: at,
    }),
  ).execute();
  return revision;
}

export async function hasRevisions(manager: EntityManager, articleId: number): Promise<boolean> {
  const rows = await queryNamed(manager, `SELECT 1 AS one FROM article_revisions WHERE article_id = :articleId LIMIT 1`, { articleId });
  return rows.length > 0;
}

/**
 * Articles written before revisions existed (imports, seeds) get their current state kept as
 * revision 1 before the first change, so that first edit does not lose the original.
 */
export async function keepBaseline(manager: EntityManager, article: Article): Promise<void> {
  if (!(await hasRevisions(manager, article.id))) await recordRevision(manager, article, "import", IMPORTER, article.updatedAt);
}
