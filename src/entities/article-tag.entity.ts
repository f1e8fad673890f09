import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { Article } from "./article.entity";
import { Tag } from "./tag.entity";

/** Join row with the editor's order of tags on an article. */
@Entity({ name: "article_tags" })
@Index("ix_article_tags_tag", ["tagId", "articleId"])
export class ArticleTag {
  @PrimaryColumn({ name: "article_id", type: "integer" })
  articleId: number;

  @PrimaryColumn({ name: "tag_id", type: "integer" })
  tagId: number;

  @Column({ type: "integer", default: 0 })
  position: number;

  /** Maintained by triggers (see the live_at migration); never written by the application. */
  @Column({ name: "live_at", type: Date, nullable: true, insert: false, update: false, select: false })
  liveAt?: Date | null;

  @ManyToOne(() => Article, { onDelete: "CASCADE" })
  @JoinColumn({ name: "article_id" })
  article?: Article;

  @ManyToOne(() => Tag, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "tag_id" })
  tag?: Tag;
}
