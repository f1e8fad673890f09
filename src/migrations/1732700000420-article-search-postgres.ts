import type { MigrationInterface, QueryRunner } from "typeorm";
import { createSearchTable, dropSearchTable, rebuildIndex } from "../search/fts.postgres";

/**
 * Full-text search on PostgreSQL (see src/search/fts.postgres.ts): the tsvector table, its GIN
 * index and the backfill from the articles already stored, stemmed in JavaScript by the same
 * code the writers use. SQLite got its FTS5 table in ArticleSearch1732700000200; nothing to do
 * there.
 */
export class ArticleSearchPostgres1732700000420 implements MigrationInterface {
  name = "ArticleSearchPostgres1732700000420";

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== "postgres") return;
    await createSearchTable(queryRunner);
    await rebuildIndex(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== "postgres") return;
    await dropSearchTable(queryRunner);
  }
}
