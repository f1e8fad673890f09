import type { MigrationInterface, QueryRunner } from "typeorm";
import { createSearchTable, dropSearchTable, rebuildIndex } from "../search/fts.sqlite";

/**
 * The full-text index (see src/search/fts.sqlite.ts) and its backfill from the articles
 * already stored. The rows hold stemmed text computed in JavaScript, so the backfill runs the
 * same stemmer the writers use rather than a SQL INSERT … SELECT. PostgreSQL's index came
 * later, in ArticleSearchPostgres1732700000420.
 */
export class ArticleSearch1732700000200 implements MigrationInterface {
  name = "ArticleSearch1732700000200";

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === "postgres") return;
    await createSearchTable(queryRunner);
    await rebuildIndex(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === "postgres") return;
    await dropSearchTable(queryRunner);
  }
}
