import { Column, Entity, ForeignKey, Index, PrimaryColumn } from "typeorm";
import { Article } from "./article.entity";

/** An editor's pick: "Berita Lainnya" links in the order the editor chose. */
@Entity({ name: "article_related" })
export class ArticleRelated {
  @ForeignKey(() => Article, { onDelete: "CASCADE" })
  @PrimaryColumn({ name: "article_id", type: "integer" })
  articleId: number;

  /** Indexed for the reverse lookup: which articles pick this one. */
  @Index("ix_article_related_related")
  @ForeignKey(() => Article, { onDelete: "CASCADE" })
  @PrimaryColumn({ name: "related_id", type: "integer" })
  relatedId: number;

  @Column({ type: "integer", default: 0 })
  position: number;
}
