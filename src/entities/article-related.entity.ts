import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { Article } from "./article.entity";

/** An editor's pick: "Berita Lainnya" links in the order the editor chose. */
@Entity({ name: "article_related" })
export class ArticleRelated {
  @PrimaryColumn({ name: "article_id", type: "integer" })
  articleId: number;

  @PrimaryColumn({ name: "related_id", type: "integer" })
  relatedId: number;

  @Column({ type: "integer", default: 0 })
  position: number;

  @ManyToOne(() => Article, { onDelete: "CASCADE" })
  @JoinColumn({ name: "article_id" })
  article?: Article;

  @ManyToOne(() => Article, { onDelete: "CASCADE" })
  @JoinColumn({ name: "related_id" })
  related?: Article;
}
