import { Field, ID, ObjectType } from "type-graphql";
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";
import { CURRENT_INSTANT } from "../db/schema-forms";

@ObjectType({ simpleResolvers: true, description: "A person who writes for the newsroom." })
@Entity({ name: "authors" })
export class Author {
  @Field(() => ID)
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: "URL-safe unique handle, e.g. `arpan-rachman`." })
  @Index("ux_authors_slug", { unique: true })
  @Column({ type: "varchar", length: 120 })
  slug: string;

  @Field()
  @Index("ix_authors_name")
  @Column({ type: "varchar", length: 200 })
  name: string;

  @Field(() => String, { nullable: true })
  @Column({ type: "text", nullable: true })
  bio: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: "avatar_url", type: "varchar", length: 2048, nullable: true })
  avatarUrl: string | null;

  @Field()
  @CreateDateColumn({ name: "created_at", default: CURRENT_INSTANT })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ name: "updated_at", default: CURRENT_INSTANT })
  updatedAt: Date;
}
