import { Field, ID, Int, ObjectType } from "type-graphql";
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from "typeorm";
import { CURRENT_INSTANT } from "../db/schema-forms";
import { ApiToken } from "./api-token.entity";
import { Article } from "./article.entity";

/**
 * One saved version of an article, recorded by every write (create, update, publish, ...),
 * so the newest revision is the current state and every earlier one is what someone saved.
 */
@ObjectType({ simpleResolvers: true, description: "A saved version of an article, with who saved it and when." })
@Entity({ name: "article_revisions" })
@Index("ux_article_revisions_article", ["articleId", "revision"], { unique: true })
export class ArticleRevision {
  @Field(() => ID)
  @PrimaryGeneratedColumn()
  id: number;

  @ForeignKey(() => Article, { onDelete: "CASCADE" })
  @Column({ name: "article_id", type: "integer" })
  articleId: number;

  @Field(() => Int, { description: "1 for the first version, counting up." })
  @Column({ type: "integer" })
  revision: number;

  @Field({ description: "What the write did: create, update, publish, schedule, unpublish, delete, restore, related, or import (the state before the first edit of an imported article, or a later change by the page importer)." })
  @Column({ type: "varchar", length: 16 })
  action: string;

  @Field()
  @Column({ type: "varchar", length: 300 })
  title: string;

  @Field()
  @Column({ type: "text" })
  lead: string;

  @Field()
  @Column({ type: "text" })
  body: string;

  @Field()
  @Column({ type: "varchar", length: 200 })
  slug: string;

  @Field(() => String, { nullable: true })
  @Column({ name: "featured_image_url", type: "varchar", length: 2048, nullable: true })
  featuredImageUrl: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: "featured_image_caption", type: "varchar", length: 500, nullable: true })
  featuredImageCaption: string | null;

  @Field({ description: "Stored state: `draft` or `published` (a future publishedAt means scheduled)." })
  @Column({ type: "varchar", length: 16 })
  status: string;

  @Field(() => Date, { nullable: true })
  @Column({ name: "published_at", type: Date, nullable: true })
  publishedAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: "deleted_at", type: Date, nullable: true })
  deletedAt: Date | null;

  @Field()
  @Column({ name: "time_zone", type: "varchar", length: 64 })
  timeZone: string;

  @Field(() => ID)
  @Column({ name: "author_id", type: "integer" })
  authorId: number;

  /** JSON arrays of ids in the editor's order; exposed as lists by the revision resolver. */
  @Column({ name: "tag_ids", type: "text" })
  tagIdsJson: string;

  @Column({ name: "related_ids", type: "text" })
  relatedIdsJson: string;

  @ForeignKey(() => ApiToken, { onDelete: "SET NULL" })
  @Column({ name: "edited_by_token_id", type: "integer", nullable: true })
  editedByTokenId: number | null;

  @Field({ description: "The name of the API token that saved this version." })
  @Column({ name: "edited_by", type: "varchar", length: 100 })
  editedBy: string;

  @Field({ description: "When this version was saved." })
  @Column({ name: "created_at", type: Date, default: CURRENT_INSTANT })
  createdAt: Date;
}
