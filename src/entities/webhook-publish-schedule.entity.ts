import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from "typeorm";
import { Article } from "./article.entity";

/**
 * A scheduled publish not announced to webhooks yet (src/webhooks/publish-schedule.ts). Written
 * and read with SQL by the outbox; declared here so the schema is described in one place.
 */
@Entity({ name: "webhook_publish_schedule" })
export class WebhookPublishSchedule {
  @PrimaryGeneratedColumn()
  id: number;

  @Index("ux_webhook_publish_schedule_article", { unique: true })
  @ForeignKey(() => Article, { onDelete: "CASCADE" })
  @Column({ name: "article_id", type: "integer" })
  articleId: number;

  @Index("ix_webhook_publish_schedule_at")
  @Column({ name: "publish_at", type: Date })
  publishAt: Date;
}
