import type { MigrationInterface, QueryRunner } from "typeorm";
import { SEARCH_TABLE } from "../search/fts.postgres";

/**
 * PostgreSQL's search table gains each article's live instant (see LIVE_AT_OF_ARTICLE in
 * src/search/fts.postgres.ts), so a public search ranks and pages without reading an article
 * per match. Databases created since this migration get the column from createSearchTable in
 * ArticleSearchPostgres1732700000420 (whose backfill already writes it); older ones get it
 * here, filled from their articles. The writers keep it from then on (reindexRows). SQLite's
 * FTS5 table is unchanged.
 */
export class ArticleSearchLiveAt1732700000620 implements MigrationInterface {
  name = "ArticleSearchLiveAt1732700000620";

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== "postgres") return;
    await queryRunner.query(`ALTER TABLE "${SEARCH_TABLE}" ADD COLUMN IF NOT EXISTS "live_at" timestamptz`);
    await queryRunner.query(`UPDATE "${SEARCH_TABLE}" s
      SET live_at = CASE WHEN a.status = 'published' AND a.deleted_at IS NULL THEN a.published_at END
      FROM articles a WHERE a.id = s.article_id AND s.live_at IS DISTINCT FROM CASE WHEN a.status = 'published' AND a.deleted_at IS NULL THEN a.published_at END`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== "postgres") return;
    await queryRunner.query(`ALTER TABLE "${SEARCH_TABLE}" DROP COLUMN IF EXISTS "live_at"`);
  }
}
