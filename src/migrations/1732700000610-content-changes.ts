import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * What each committed write changed, as cache keys, for the other processes on the same SQLite
 * file (another server, `npm run seed`): written in the writing transaction, read by id by
 * every server a few times a second, kept for ten minutes. PostgreSQL carries the same through
 * LISTEN/NOTIFY instead (src/cache/change-feed.ts), so the table exists on SQLite only.
 */
export class ContentChanges1732700000610 implements MigrationInterface {
  name = "ContentChanges1732700000610";

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === "postgres") return;
    await queryRunner.query(`CREATE TABLE "content_changes" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "source" varchar(64) NOT NULL,
      "keys" text NOT NULL,
      "created_at" datetime NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === "postgres") return;
    await queryRunner.query(`DROP TABLE "content_changes"`);
  }
}
