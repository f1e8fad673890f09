import { Field, ID, ObjectType } from "type-graphql";
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";

@ObjectType({ description: "A topic that groups articles, e.g. `Pemilu 2024`." })
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
  @CreateDateColumn({ name: "created_at" })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ name: "updated_at" })
  updatedAt: Date;
}
