import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from "typeorm";
import { CURRENT_INSTANT } from "../db/schema-forms";
import { Webhook } from "./webhook.entity";

/** Stored lowercase; the GraphQL enum is the uppercase name. */
export type StoredDeliveryStatus = "pending" | "delivered" | "failed" | "dead";

export enum WebhookDeliveryStatus {
  PENDING = "PENDING",
  DELIVERED = "DELIVERED",
  FAILED = "FAILED",
  DEAD = "DEAD",
}
registerEnumType(WebhookDeliveryStatus, {
  name: "WebhookDeliveryStatus",
  valuesConfig: {
    PENDING: { description: "Written with the change; not attempted yet (or being attempted now)." },
    DELIVERED: { description: "The endpoint answered 2xx." },
    FAILED: { description: "The last attempt failed; another is due at nextAttemptAt." },
    DEAD: { description: "Given up after WEBHOOK_MAX_ATTEMPTS attempts (or one, while the endpoint is down); never retried." },
  },
});

const statusColumn = {
  to: (status: WebhookDeliveryStatus | undefined) => status?.toLowerCase(),
  from: (stored: string) => stored.toUpperCase() as WebhookDeliveryStatus,
};

/**
 * One event for one endpoint: the outbox row, written in the transaction of the change it
 * announces, and afterwards its delivery log. The body is fixed when the row is written, so
 * every attempt sends the same bytes under the same `webhook-id`.
 */
@ObjectType({ simpleResolvers: true, description: "One event for one endpoint: what was sent and how delivery went." })
@Entity({ name: "webhook_deliveries" })
@Index("ix_webhook_deliveries_queue", ["webhookId", "status", "id"])
@Index("ix_webhook_deliveries_due", ["status", "nextAttemptAt"])
export class WebhookDelivery {
  @Field(() => ID)
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID)
  @ForeignKey(() => Webhook, { onDelete: "CASCADE" })
  @Column({ name: "webhook_id", type: "integer" })
  webhookId: number;

  @Field({ description: "The `webhook-id` header: the same on every attempt, for receivers to drop duplicates." })
  @Index("ux_webhook_deliveries_message", { unique: true })
  @Column({ name: "message_id", type: "varchar", length: 64 })
  messageId: string;

  @Field({ description: "The body's `type`, e.g. `article.published` or `webhook.test`." })
  @Column({ name: "event_type", type: "varchar", length: 32 })
  eventType: string;

  @Field({ description: "The JSON body as sent." })
  @Column({ type: "text" })
  payload: string;

  @Field(() => WebhookDeliveryStatus)
  @Column({ type: "varchar", length: 16, transformer: statusColumn })
  status: WebhookDeliveryStatus;

  @Field(() => Int)
  @Column({ type: "integer", default: 0 })
  attempts: number;

  @Field({ description: "When the next attempt is due (for PENDING and FAILED)." })
  @Column({ name: "next_attempt_at", type: Date })
  nextAttemptAt: Date;

  @Column({ name: "claimed_until", type: Date, nullable: true })
  claimedUntil: Date | null;

  /** The instance that claimed the row last (and so delivered it, once DELIVERED). */
  @Column({ name: "claimed_by", type: "varchar", length: 100, nullable: true })
  claimedBy: string | null;

  @Field(() => String, { nullable: true, description: "Why the latest failed attempt failed (kept after a later success): a network error, a timeout, or the HTTP status and the start of the body." })
  @Column({ name: "last_error", type: "varchar", length: 1000, nullable: true })
  lastError: string | null;

  @Field(() => Int, { nullable: true })
  @Column({ name: "last_status_code", type: "integer", nullable: true })
  lastStatusCode: number | null;

  @Field(() => Int, { nullable: true, description: "Of the last attempt: from sending the request to the response headers." })
  @Column({ name: "latency_ms", type: "integer", nullable: true })
  latencyMs: number | null;

  @Field()
  @Column({ name: "created_at", type: Date, default: CURRENT_INSTANT })
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ name: "last_attempt_at", type: Date, nullable: true })
  lastAttemptAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: "delivered_at", type: Date, nullable: true })
  deliveredAt: Date | null;
}
