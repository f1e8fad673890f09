import DataLoader from "dataloader";
import { ArticleRevision } from "../entities/article-revision.entity";
import type { ReadContext } from "./read-context";

export const MAX_REVISIONS_LISTED = 100;

/**
 * Revisions of many articles in one statement, newest first. Who may read them is an access
 * rule (may this token edit the article), checked by the field resolver before it asks.
 */
export function createRevisionLoader(context: ReadContext) {
  return new DataLoader<number, ArticleRevision[]>(async (articleIds) => {
    const rows = await context.dataSource
      .getRepository(ArticleRevision)
      .createQueryBuilder("r")
      .where("r.articleId IN (:...articleIds)", { articleIds })
      .orderBy("r.articleId", "ASC")
      .addOrderBy("r.revision", "DESC")
      .getMany();
    const byArticle = new Map<number, ArticleRevision[]>();
    for (const row of rows) {
      const list = byArticle.get(row.articleId) ?? [];
      if (list.length < MAX_REVISIONS_LISTED) list.push(row);
      byArticle.set(row.articleId, list);
    }
    return articleIds.map((id) => byArticle.get(id) ?? []);
  });
}
