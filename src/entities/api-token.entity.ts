import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from "typeorm";
import { CURRENT_INSTANT } from "../db/schema-forms";
import { Role } from "../viewer";
import { Author } from "./author.entity";

registerEnumType(Role, {
  name: "Role",
  description: "Newsroom roles as in Ghost: CONTRIBUTOR drafts, AUTHOR publishes own, EDITOR everything, ADMIN also tokens.",
});

/** A bearer token for newsroom tools. The secret itself is never stored, only its SHA-256. */
@ObjectType({ simpleResolvers: true, description: "An API token; the secret is shown once, when it is created." })
@Entity({ name: "api_tokens" })
export class ApiToken {
  @Field(() => ID)
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: "Who or what uses the token, e.g. `cms-import` or `rina (editor)`." })
  @Column({ type: "varchar", length: 100 })
  name: string;

  @Field(() => Role)
  @Column({ type: "varchar", length: 16 })
  role: Role;

  @ForeignKey(() => Author, { onDelete: "RESTRICT" })
  @Column({ name: "author_id", type: "integer", nullable: true })
  authorId: number | null;

  @Index("ux_api_tokens_hash", { unique: true })
  @Column({ name: "token_hash", type: "varchar", length: 64 })
  tokenHash: string;

  @Field({ description: "The secret's first characters, enough to recognise it in a list." })
  @Index("ix_api_tokens_prefix")
  @Column({ name: "token_prefix", type: "varchar", length: 16 })
  tokenPrefix: string;

  @Field()
  @Column({ name: "created_at", type: Date, default: CURRENT_INSTANT })
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ name: "expires_at", type: Date, nullable: true })
  expiresAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: "revoked_at", type: Date, nullable: true })
  revokedAt: Date | null;

  @Field(() => Date, { nullable: true, description: "Updated at most once a minute." })
  @Column({ name: "last_used_at", type: Date, nullable: true })
  lastUsedAt: Date | null;
}
