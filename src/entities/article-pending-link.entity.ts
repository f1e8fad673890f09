import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { Article } from "./article.entity";

/** A "Berita Lainnya" entry whose article is not in the database yet; see pending-link.repository.ts. */
@Entity({ name: "article_pending_links" })
@Index("ix_article_pending_links_target", ["publishedAt", "titleKey"])
export class ArticlePendingLink {
  @PrimaryColumn({ name: "source_article_id", type: "integer" })
  sourceArticleId: number;

  /** Index of the entry in the page's list. */
  @PrimaryColumn({ type: "integer" })
  position: number;

  @Column({ type: "text" })
  title: string;

  @Column({ name: "title_key", type: "text" })
  titleKey: string;

  @Column({ name: "published_at", type: Date })
  publishedAt: Date;

  @Column({ name: "time_zone", type: "varchar", length: 64 })
  timeZone: string;

  @ManyToOne(() => Article, { onDelete: "CASCADE" })
  @JoinColumn({ name: "source_article_id" })
  source?: Article;
}
