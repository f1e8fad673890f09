import { Field, ID, ObjectType } from "type-graphql";
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";
import { CURRENT_INSTANT } from "../db/schema-forms";

@ObjectType({ simpleResolvers: true, description: "A topic that groups articles, e.g. `Pemilu 2024`." })
@Entity({ name: "tags" })
export class Tag {
  @Field(() => ID)
  @PrimaryGeneratedColumn()
  id: number;

  @Field()
  @Index("ux_tags_slug", { unique: true })
  @Column({ type: "varchar", length: 120 })
  slug: string;

  @Field()
  @Index("ix_tags_name")
  @Column({ type: "varchar", length: 200 })
  name: string;

  @Field(() => String, { nullable: true })
  @Column({ type: "text", nullable: true })
  description: string | null;

  @Field()
  @CreateDateColumn({ name: "created_at", default: CURRENT_INSTANT })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ name: "updated_at", default: CURRENT_INSTANT })
  updatedAt: Date;

  /**
   * Articles carrying the tag that are published and not deleted: the weight of a shared tag in
   * related scores. Kept by triggers on article_tags (1732700000400-tag-live-count), so the
   * application never writes it; read with SQL where needed (src/loaders/visibility.ts).
   */
  @Column({ name: "live_count", type: "integer", default: 0, insert: false, update: false, select: false })
  liveCount?: number;
}
