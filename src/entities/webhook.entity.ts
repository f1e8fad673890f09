import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { CURRENT_INSTANT } from "../db/schema-forms";

/** What an endpoint can subscribe to; each value is sent as its lowercase dotted type (`ARTICLE_PUBLISHED` → `article.published`). */
export enum WebhookEvent {
  ARTICLE_PUBLISHED = "ARTICLE_PUBLISHED",
  ARTICLE_UPDATED = "ARTICLE_UPDATED",
  ARTICLE_UNPUBLISHED = "ARTICLE_UNPUBLISHED",
  ARTICLE_DELETED = "ARTICLE_DELETED",
  ARTICLE_RESTORED = "ARTICLE_RESTORED",
  AUTHOR_UPDATED = "AUTHOR_UPDATED",
  TAG_UPDATED = "TAG_UPDATED",
}
registerEnumType(WebhookEvent, {
  name: "WebhookEvent",
  description: "A change a webhook endpoint can subscribe to; the body's `type` is the value in lowercase with a dot (`article.published`).",
  valuesConfig: {
    ARTICLE_PUBLISHED: { description: "An article went live: published now, or a scheduled article's instant came." },
    ARTICLE_UPDATED: { description: "A live article's text, slug, image, author, tags or related picks changed." },
    ARTICLE_UNPUBLISHED: { description: "A published article went back to draft." },
    ARTICLE_DELETED: { description: "A live article was deleted (soft: it can be restored)." },
    ARTICLE_RESTORED: { description: "A deleted article came back live." },
    AUTHOR_UPDATED: { description: "An author's name, slug, bio or avatar changed." },
    TAG_UPDATED: { description: "A tag's name, slug or description changed." },
  },
});

export const WEBHOOK_EVENT_TYPES: Record<WebhookEvent, string> = {
  ARTICLE_PUBLISHED: "article.published",
  ARTICLE_UPDATED: "article.updated",
  ARTICLE_UNPUBLISHED: "article.unpublished",
  ARTICLE_DELETED: "article.deleted",
  ARTICLE_RESTORED: "article.restored",
  AUTHOR_UPDATED: "author.updated",
  TAG_UPDATED: "tag.updated",
};

/** Stored as a comma-separated list of enum values, read back in enum order. */
const eventList = {
  to: (events: WebhookEvent[] | undefined) => (events === undefined ? undefined : [...new Set(events)].join(",")),
  from: (text: string | null) => (text ? (text.split(",").filter((e) => e in WEBHOOK_EVENT_TYPES) as WebhookEvent[]) : []),
};

/**
 * An endpoint that is told about content changes. The signing secret is stored as it is
 * (unlike API token hashes) because every delivery must be signed with it; it is shown once,
 * when the endpoint is created, and never listed.
 */
@ObjectType({ simpleResolvers: true, description: "A webhook endpoint: a URL told about content changes, signed per Standard Webhooks." })
@Entity({ name: "webhooks" })
export class Webhook {
  @Field(() => ID)
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: "http or https; where the signed POST requests go." })
  @Column({ type: "varchar", length: 2048 })
  url: string;

  @Field(() => [WebhookEvent])
  @Column({ type: "varchar", length: 200, transformer: eventList })
  events: WebhookEvent[];

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 500, nullable: true })
  description: string | null;

  @Field({ description: "Inactive endpoints get no new events; deliveries already queued wait until it is active again." })
  // `TRUE` as the migration wrote it: SQLite keeps the word (TypeORM would compare `1`), PostgreSQL reads back `true`.
  @Column({ type: "boolean", default: () => "TRUE" })
  active: boolean;

  /** `whsec_` + base64 of 32 random bytes. */
  @Column({ type: "varchar", length: 100 })
  secret: string;

  @Field(() => Int, { description: "Failed attempts in a row. At WEBHOOK_MAX_ATTEMPTS the endpoint counts as down: each new event gets one attempt until one succeeds." })
  @Column({ name: "failure_streak", type: "integer", default: 0 })
  failureStreak: number;

  @Field()
  @Column({ name: "created_at", type: Date, default: CURRENT_INSTANT })
  createdAt: Date;

  @Field()
  @Column({ name: "updated_at", type: Date, default: CURRENT_INSTANT })
  updatedAt: Date;
}
