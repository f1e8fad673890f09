import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The write side: API tokens (only a hash of the secret is kept) and article revisions.
 * A revision is a full snapshot, tags and related picks included, so any version an
 * editor saved can be read back even after later saves or a deletion.
 */
export class Editorial1732700000100 implements MigrationInterface {
  name = "Editorial1732700000100";

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === "postgres";
    const id = pg ? `"id" SERIAL PRIMARY KEY` : `"id" integer PRIMARY KEY AUTOINCREMENT NOT NULL`;
    const ts = pg ? "timestamptz" : "datetime";
    const now = pg ? "now()" : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";

    await queryRunner.query(`CREATE TABLE "api_tokens" (
      ${id},
      "name" varchar(100) NOT NULL,
      "role" varchar(16) NOT NULL,
      "author_id" integer REFERENCES "authors" ("id") ON DELETE RESTRICT,
      "token_hash" varchar(64) NOT NULL,
      "token_prefix" varchar(16) NOT NULL,
      "created_at" ${ts} NOT NULL DEFAULT ${now},
      "expires_at" ${ts},
      "revoked_at" ${ts},
      "last_used_at" ${ts})`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_api_tokens_hash" ON "api_tokens" ("token_hash")`);
    await queryRunner.query(`CREATE INDEX "ix_api_tokens_prefix" ON "api_tokens" ("token_prefix")`);

    await queryRunner.query(`CREATE TABLE "article_revisions" (
      ${id},
      "article_id" integer NOT NULL REFERENCES "articles" ("id") ON DELETE CASCADE,
      "revision" integer NOT NULL,
      "action" varchar(16) NOT NULL,
      "title" varchar(300) NOT NULL,
      "lead" text NOT NULL,
      "body" text NOT NULL,
      "slug" varchar(200) NOT NULL,
      "featured_image_url" varchar(2048),
      "featured_image_caption" varchar(500),
      "status" varchar(16) NOT NULL,
      "published_at" ${ts},
      "deleted_at" ${ts},
      "time_zone" varchar(64) NOT NULL,
      "author_id" integer NOT NULL,
      "tag_ids" text NOT NULL,
      "related_ids" text NOT NULL,
      "edited_by_token_id" integer REFERENCES "api_tokens" ("id") ON DELETE SET NULL,
      "edited_by" varchar(100) NOT NULL,
      "created_at" ${ts} NOT NULL DEFAULT ${now})`);
    // Newest first per article is the only way revisions are read.
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_article_revisions_article" ON "article_revisions" ("article_id", "revision")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "article_revisions"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
  }
}
