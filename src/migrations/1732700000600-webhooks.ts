import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Change webhooks: endpoints, the outbox that is also the delivery log, and the scheduled
 * publishes not announced yet (a row leaves that table in the transaction that announces it,
 * so each scheduled publish is announced once, by one instance, even across restarts).
 */
export class Webhooks1732700000600 implements MigrationInterface {
  name = "Webhooks1732700000600";

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === "postgres";
    const id = pg ? `"id" SERIAL PRIMARY KEY` : `"id" integer PRIMARY KEY AUTOINCREMENT NOT NULL`;
    const ts = pg ? "timestamptz" : "datetime";
    const now = pg ? "now()" : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";

    await queryRunner.query(`CREATE TABLE "webhooks" (
      ${id},
      "url" varchar(2048) NOT NULL,
      "events" varchar(200) NOT NULL,
      "description" varchar(500),
      "active" boolean NOT NULL DEFAULT TRUE,
      "secret" varchar(100) NOT NULL,
      "failure_streak" integer NOT NULL DEFAULT 0,
      "created_at" ${ts} NOT NULL DEFAULT ${now},
      "updated_at" ${ts} NOT NULL DEFAULT ${now})`);

    await queryRunner.query(`CREATE TABLE "webhook_deliveries" (
      ${id},
      "webhook_id" integer NOT NULL REFERENCES "webhooks" ("id") ON DELETE CASCADE,
      "message_id" varchar(64) NOT NULL,
      "event_type" varchar(32) NOT NULL,
      "payload" text NOT NULL,
      "status" varchar(16) NOT NULL,
      "attempts" integer NOT NULL DEFAULT 0,
      "next_attempt_at" ${ts} NOT NULL,
      "claimed_until" ${ts},
      "claimed_by" varchar(100),
      "last_error" varchar(1000),
      "last_status_code" integer,
      "latency_ms" integer,
      "created_at" ${ts} NOT NULL DEFAULT ${now},
      "last_attempt_at" ${ts},
      "delivered_at" ${ts})`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_webhook_deliveries_message" ON "webhook_deliveries" ("message_id")`);
    // The head of each endpoint's queue (oldest undelivered row), and the log newest first.
    await queryRunner.query(`CREATE INDEX "ix_webhook_deliveries_queue" ON "webhook_deliveries" ("webhook_id", "status", "id")`);
    // Rows that are due: the worker's poll reads only undelivered rows through this.
    await queryRunner.query(`CREATE INDEX "ix_webhook_deliveries_due" ON "webhook_deliveries" ("status", "next_attempt_at")`);

    await queryRunner.query(`CREATE TABLE "webhook_publish_schedule" (
      ${id},
      "article_id" integer NOT NULL REFERENCES "articles" ("id") ON DELETE CASCADE,
      "publish_at" ${ts} NOT NULL)`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_webhook_publish_schedule_article" ON "webhook_publish_schedule" ("article_id")`);
    await queryRunner.query(`CREATE INDEX "ix_webhook_publish_schedule_at" ON "webhook_publish_schedule" ("publish_at")`);
    // Articles already scheduled when this runs are announced at their instant like later ones.
    await queryRunner.query(`INSERT INTO "webhook_publish_schedule" ("article_id", "publish_at")
      SELECT "id", "published_at" FROM "articles"
      WHERE "status" = 'published' AND "deleted_at" IS NULL AND "published_at" > ${now}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "webhook_publish_schedule"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP TABLE "webhooks"`);
  }
}
