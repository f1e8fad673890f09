import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * "Berita Lainnya" entries that named no article yet, kept so that a later import or an API
 * write of the named article links it (src/repositories/pending-link.repository.ts). Looked up
 * by instant and folded title, the pair a page names an article by.
 */
export class PendingRelatedLinks1732700000410 implements MigrationInterface {
  name = "PendingRelatedLinks1732700000410";

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === "postgres";
    await queryRunner.query(`CREATE TABLE "article_pending_links" (
      "source_article_id" integer NOT NULL REFERENCES "articles" ("id") ON DELETE CASCADE,
      "position" integer NOT NULL,
      "title" text NOT NULL,
      "title_key" text NOT NULL,
      "published_at" ${pg ? "timestamptz" : "datetime"} NOT NULL,
      "time_zone" varchar(64) NOT NULL,
      PRIMARY KEY ("source_article_id", "position"))`);
    await queryRunner.query(`CREATE INDEX "ix_article_pending_links_target" ON "article_pending_links" ("published_at", "title_key")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "article_pending_links"`);
  }
}
