import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from "typeorm";
import { CURRENT_INSTANT } from "../db/schema-forms";
import { Author } from "./author.entity";

/** What is stored. SCHEDULED is derived (published with a future instant), so no job has to flip it. */
export type StoredArticleStatus = "draft" | "published";

export enum ArticleStatus {
  DRAFT = "DRAFT",
  SCHEDULED = "SCHEDULED",
  PUBLISHED = "PUBLISHED",
  DELETED = "DELETED",
}
registerEnumType(ArticleStatus, {
  name: "ArticleStatus",
  description: "Where an article is in its life. SCHEDULED and PUBLISHED differ only by whether publishedAt has come.",
});

@ObjectType({ simpleResolvers: true, description: "The featured image shown above the article body." })
export class FeaturedImage {
  @Field()
  url: string;

  @Field(() => String, { nullable: true })
  caption: string | null;
}

/**
 * Triggers on this table (trg_articles_live, 1732700000050-article-tags-live-at) copy the live
 * state onto article_tags.live_at; the FTS5 index (1732700000200-article-search, SQLite only) is
 * written by the services. Neither can be declared here.
 */
@ObjectType({ simpleResolvers: true, description: "A news article." })
@Entity({ name: "articles" })
@Index("ix_articles_published", ["status", "publishedAt", "id"])
@Index("ix_articles_author_published", ["authorId", "publishedAt", "id"])
@Index("ix_articles_updated", ["updatedAt", "id"])
// Partial: exactly the live articles, for the sitemap index (1732700000450-article-live-index). TypeORM's
// schema builder compares its name and columns, not the WHERE; SQLite reads name it (`INDEXED BY
// ix_articles_live` in src/db/dialect.ts), so a rename must change both.
@Index("ix_articles_live", ["publishedAt", "updatedAt"], { where: `"status" = 'published' AND "deleted_at" IS NULL` })
export class Article {
  @Field(() => ID)
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: "URL-safe unique handle derived from the title." })
  @Index("ux_articles_slug", { unique: true })
  @Column({ type: "varchar", length: 200 })
  slug: string;

  @Field()
  @Column({ type: "varchar", length: 300 })
  title: string;

  @Field({ description: "The one-paragraph standfirst shown under the title." })
  @Column({ type: "text" })
  lead: string;

  @Field({ description: "Plain text; paragraphs are separated by a blank line." })
  @Column({ type: "text" })
  body: string;

  @Column({ name: "featured_image_url", type: "varchar", length: 2048, nullable: true })
  featuredImageUrl: string | null;

  @Column({ name: "featured_image_caption", type: "varchar", length: 500, nullable: true })
  featuredImageCaption: string | null;

  @Column({ type: "varchar", length: 16, default: "draft" })
  status: StoredArticleStatus;

  @Field(() => Date, { nullable: true, description: "ISO-8601 UTC instant; null for drafts never published." })
  @Column({ name: "published_at", type: Date, nullable: true })
  publishedAt: Date | null;

  @Field({ description: "The IANA zone the byline was written in, e.g. Asia/Jakarta (WIB)." })
  @Column({ name: "time_zone", type: "varchar", length: 64, default: "Asia/Jakarta" })
  timeZone: string;

  @ForeignKey(() => Author, { onDelete: "RESTRICT" })
  @Column({ name: "author_id", type: "integer" })
  authorId: number;

  @Field()
  @CreateDateColumn({ name: "created_at", default: CURRENT_INSTANT })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ name: "updated_at", default: CURRENT_INSTANT })
  updatedAt: Date;

  @Field(() => Date, { nullable: true, description: "Set when the article was deleted (visible to editors only)." })
  @DeleteDateColumn({ name: "deleted_at" })
  deletedAt: Date | null;

  @Field(() => Int)
  @Column({ name: "word_count", type: "integer", default: 0 })
  wordCount: number;
}
