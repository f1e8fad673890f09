import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Hand-written rather than generated so that both dialects get the same tables, the
 * foreign keys are declared inline (SQLite cannot add them later) and every index
 * matches a lookup or list order that the loaders use.
 */
export class InitialSchema1732700000000 implements MigrationInterface {
  name = "InitialSchema1732700000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === "postgres";
    const id = pg ? `"id" SERIAL PRIMARY KEY` : `"id" integer PRIMARY KEY AUTOINCREMENT NOT NULL`;
    const ts = pg ? "timestamptz" : "datetime";
    const now = pg ? "now()" : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";

    await queryRunner.query(`CREATE TABLE "authors" (
      ${id},
      "slug" varchar(120) NOT NULL,
      "name" varchar(200) NOT NULL,
      "bio" text,
      "avatar_url" varchar(2048),
      "created_at" ${ts} NOT NULL DEFAULT ${now},
      "updated_at" ${ts} NOT NULL DEFAULT ${now})`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_authors_slug" ON "authors" ("slug")`);
    await queryRunner.query(`CREATE INDEX "ix_authors_name" ON "authors" ("name")`);

    await queryRunner.query(`CREATE TABLE "tags" (
      ${id},
      "slug" varchar(120) NOT NULL,
      "name" varchar(200) NOT NULL,
      "description" text,
      "created_at" ${ts} NOT NULL DEFAULT ${now},
      "updated_at" ${ts} NOT NULL DEFAULT ${now})`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_tags_slug" ON "tags" ("slug")`);
    await queryRunner.query(`CREATE INDEX "ix_tags_name" ON "tags" ("name")`);

    await queryRunner.query(`CREATE TABLE "articles" (
      ${id},
      "slug" varchar(200) NOT NULL,
      "title" varchar(300) NOT NULL,
      "lead" text NOT NULL,
      "body" text NOT NULL,
      "featured_image_url" varchar(2048),
      "featured_image_caption" varchar(500),
      "status" varchar(16) NOT NULL DEFAULT 'draft',
      "published_at" ${ts},
      "time_zone" varchar(64) NOT NULL DEFAULT 'Asia/Jakarta',
      "author_id" integer NOT NULL REFERENCES "authors" ("id") ON DELETE RESTRICT,
      "word_count" integer NOT NULL DEFAULT 0,
      "created_at" ${ts} NOT NULL DEFAULT ${now},
      "updated_at" ${ts} NOT NULL DEFAULT ${now},
      "deleted_at" ${ts})`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_articles_slug" ON "articles" ("slug")`);
    // The public list order (newest first among published) and its keyset cursor.
    await queryRunner.query(`CREATE INDEX "ix_articles_published" ON "articles" ("status", "published_at", "id")`);
    await queryRunner.query(`CREATE INDEX "ix_articles_author_published" ON "articles" ("author_id", "published_at", "id")`);
    await queryRunner.query(`CREATE INDEX "ix_articles_updated" ON "articles" ("updated_at", "id")`);

    await queryRunner.query(`CREATE TABLE "article_tags" (
      "article_id" integer NOT NULL REFERENCES "articles" ("id") ON DELETE CASCADE,
      "tag_id" integer NOT NULL REFERENCES "tags" ("id") ON DELETE RESTRICT,
      "position" integer NOT NULL DEFAULT 0,
      PRIMARY KEY ("article_id", "tag_id"))`);
    await queryRunner.query(`CREATE INDEX "ix_article_tags_tag" ON "article_tags" ("tag_id", "article_id")`);

    await queryRunner.query(`CREATE TABLE "article_related" (
      "article_id" integer NOT NULL REFERENCES "articles" ("id") ON DELETE CASCADE,
      "related_id" integer NOT NULL REFERENCES "articles" ("id") ON DELETE CASCADE,
      "position" integer NOT NULL DEFAULT 0,
      PRIMARY KEY ("article_id", "related_id"))`);
    await queryRunner.query(`CREATE INDEX "ix_article_related_related" ON "article_related" ("related_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["article_related", "article_tags", "articles", "tags", "authors"]) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
  }
}
