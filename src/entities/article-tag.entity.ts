import { Column, Entity, ForeignKey, Index, PrimaryColumn } from "typeorm";
import { Article } from "./article.entity";
import { Tag } from "./tag.entity";

/**
 * Join row with the editor's order of tags on an article. Its triggers (live_at from the article,
 * tags.live_count) are in 1732700000050-article-tags-live-at and 1732700000400-tag-live-count.
 */
@Entity({ name: "article_tags" })
@Index("ix_article_tags_tag", ["tagId", "articleId"])
// Tag pages, tag counts and the related pool: newest live articles of a tag.
@Index("ix_article_tags_tag_live", ["tagId", "liveAt", "articleId"])
export class ArticleTag {
  @ForeignKey(() => Article, { onDelete: "CASCADE" })
  @PrimaryColumn({ name: "article_id", type: "integer" })
  articleId: number;

  @ForeignKey(() => Tag, { onDelete: "RESTRICT" })
  @PrimaryColumn({ name: "tag_id", type: "integer" })
  tagId: number;

  @Column({ type: "integer", default: 0 })
  position: number;

  /** Maintained by triggers (see the live_at migration); never written by the application. */
  @Column({ name: "live_at", type: Date, nullable: true, insert: false, update: false, select: false })
  liveAt?: Date | null;
}
